"""The diff harness: render many cats here, compare each with another renderer's picture.

``cases`` reads the cats, ``references`` fetches the other renderer's pictures (a folder of
PNGs or a service speaking this API), ``run`` compares and summarises (by trait and by
layer), ``report`` writes the summary as a self-contained HTML page.
"""
