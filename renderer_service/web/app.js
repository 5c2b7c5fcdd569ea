// The playground: every trait as a control filled from GET /catalog, a live preview from
// POST /render, the layer strip, variant sheets from POST /render/batch, share links,
// downloads, a seeded random cat, a whole clan from a save, and cats from pixel-cat-maker
// links. Every pack the service lists can be drawn: a pack of the legacy layout (poses by
// number) or of the modern one (ClanGen v0.13's named poses, the game's colours only). No
// framework and no build step: the browser runs this file.
"use strict";

const SCALES = [1, 2, 3, 4, 6, 8];
const DOWNLOAD_SCALES = [1, 4, 6]; // the scales the game's own export offers
const FORMATS = ["png", "webp", "gif"];
const DEBOUNCE_MS = 150;
const PAGE_SIZE = 100; // tiles per page of a variants sheet (a batch holds 256 frames)
const CLAN_PAGE_SIZE = 200; // cats per page of a clan: most clans fit on one
const NARROW = "(max-width: 759px)";

// Traits the variant sheet can walk.
const VARIANT_LAYERS = [
  ["base", "Pelt (or tortie mask)"],
  ["tint", "Tint"],
  ["whitePatches", "White patches"],
  ["points", "Points"],
  ["vitiligo", "Vitiligo"],
  ["eyes", "Eye colour"],
  ["skin", "Skin"],
  ["scarsPrimary", "Scars"],
  ["scarsSecondary", "Missing parts"],
  ["accessories", "Accessories"],
  ["lineart", "Lineart (afterlife)"],
  ["fading", "Fading"],
  ["shading", "Shading"],
];

const SINGLE_TRAITS = [
  // [param, label, catalog list, "none" allowed]
  ["peltName", "Pelt", "pelts", false],
  ["colour", "Colour", "colours", false],
  ["tint", "Tint", "tintNames", true],
  ["whitePatches", "White patches", "whitePatches", true],
  ["points", "Points", "points", true],
  ["vitiligo", "Vitiligo", "vitiligo", true],
  ["whitePatchesTint", "White patches tint", "whitePatchesTints", true],
  ["eyeColour", "Eye colour", "eyeColours", false],
  ["eyeColour2", "Second eye colour", "eyeColours2", true],
  ["skinColour", "Skin", "skins", false],
];
// What each pack is, for the pack switch (a pack the page does not know shows its name).
const PACK_LABELS = {
  lifegen: "Lifegen (legacy layout, poses 0-20)",
  clangen: "ClanGen v0.13 (26 named poses)",
};
// pixel-cat-maker's lineart choice (its share links do not carry it).
const PCM_LINEARTS = [
  ["regular", "living"],
  ["dead", "StarClan"],
  ["dark forest", "the Dark Forest"],
  ["unknown residence", "the Unknown Residence"],
];
const DEFAULTS = {
  peltName: "SingleColour",
  colour: "WHITE",
  eyeColour: "YELLOW",
  skinColour: "PINK",
  tint: "none",
  whitePatchesTint: "none",
};
// The cat the page opens with: the one in the README's picture of the playground.
const OPENING_CAT = {
  spriteNumber: 8,
  peltName: "Tabby",
  colour: "GINGER",
  eyeColour: "GREEN",
  whitePatches: "LITTLE",
  shading: true,
  accessories: ["MAPLE LEAF"],
};
const OPENING_BACKGROUND = "platform:auto:forest:greenleaf:light";
const FLAGS = [
  ["shading", "Shading"],
  ["dead", "Dead"],
  ["darkForest", "Dark Forest"],
  ["aprilFools", "April Fools lineart"],
  ["reverse", "Mirrored"],
];
// What each param is called on the page, for sentences about the cat.
const LABELS = {
  spriteNumber: "The pose",
  tortie: "A tortie layer",
  scars: "A scar",
  accessories: "An accessory",
  afterlife: "The afterlife",
  opacity: "The fading",
  background: "The background",
  shading: "Shading",
  dead: "Dead",
  darkForest: "Dark Forest",
  aprilFools: "April Fools lineart",
};

const $ = (id) => document.getElementById(id);

const state = {
  catalog: null, // the catalog of the pack on screen
  catalogs: new Map(), // pack name -> its catalog, as loaded
  pack: null, // the pack on screen, by the service's name for it (null: its only pack)
  defaultPack: null, // the service's first pack (what a link without a pack means)
  packNames: [], // every pack the service lists
  backgrounds: null, // from the default pack's catalog: every pack draws on them
  cat: structuredClone(OPENING_CAT), // V2 params, defaults left out
  scale: 4,
  background: OPENING_BACKGROUND,
  code: null,
  request: 0,
  seed: null, // the seed of the cat on screen; null once its traits were changed by hand
  seedTyped: false, // a seed was typed in the box since the last random cat
  colours: null, // name -> {palette, kind, swatch}
};

// --- small helpers ---------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function option(value, label = value) {
  return el("option", { value, text: label });
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// A busy service answers 503 with Retry-After rather than late: wait as it says and ask
// again, a few times, before showing the refusal.
const RETRIES_WHEN_BUSY = 3;

async function postJSON(url, body, raw = false) {
  let response;
  for (let attempt = 0; ; attempt += 1) {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: raw ? body : JSON.stringify(body),
    });
    const wait = Number(response.headers.get("Retry-After"));
    if (response.status !== 503 || !wait || attempt >= RETRIES_WHEN_BUSY) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 5) * 1000));
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = { error: "bad_answer", detail: `the service answered ${response.status}`, errors: [] };
  }
  return { ok: response.ok, status: response.status, data };
}

// A seeded generator (mulberry32): the same seed always draws the same cat.
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function slug(text) {
  return text.replace(/[^A-Za-z0-9]/g, "_");
}

// --- packs -----------------------------------------------------------------------------------

// The modern layout (ClanGen v0.13): poses by name, the game's colours only, collars by type.
function isModern(catalog = state.catalog) {
  return catalog?.layout === "modern";
}

function defaultPoseNumber(catalog = state.catalog) {
  if (isModern(catalog)) return catalog.poses.find((p) => p.name === catalog.defaultPose)?.number ?? 0;
  return 8;
}

// A pose by name or number -> its number in the catalog's pose list (undefined if none).
function poseNumber(pose, catalog = state.catalog) {
  if (typeof pose === "number") return pose;
  if (typeof pose !== "string") return undefined;
  return catalog.poses.find((p) => p.name === pose)?.number;
}

function poseName(number, catalog = state.catalog) {
  return catalog.poses.find((p) => p.number === number)?.name;
}

async function loadCatalog(pack) {
  if (state.catalogs.has(pack)) return state.catalogs.get(pack);
  const response = await fetch(`/catalog?pack=${encodeURIComponent(pack)}`);
  if (!response.ok) throw new Error(`the service answered ${response.status} for the ${pack} pack's catalog`);
  const catalog = await response.json();
  state.catalogs.set(pack, catalog);
  return catalog;
}

// Puts the page on ``pack``: its catalog, and the trait controls rebuilt from it. The cat is
// left as it is; callers fit it to the pack (``fitCat``) or replace it.
async function usePack(pack) {
  if (pack === state.pack) return;
  if (!state.pack) throw new Error(`this service draws with one pack only, not ${pack}`);
  const catalog = await loadCatalog(pack);
  state.pack = pack;
  state.catalog = catalog;
  state.colours = null;
  $("pack").value = pack;
  // A variants sheet of the other pack would offer values this one may not have.
  $("variants").replaceChildren();
  $("variants-status").textContent = "";
  $("variants-pager").hidden = true;
  buildTraits();
}

// Makes ``cat`` (drawn with ``from``) the cat on screen, kept as far as ``catalog``'s pack can
// draw it: each trait it has no value for goes back to its default, the pose goes to the same
// cell (or the pack's default pose). Answers the names of what went, for the page to say.
function fitCat(cat, from, catalog) {
  const fitted = {};
  const dropped = [];
  const has = (list, name) => list.includes(name);
  const values = (list) => listValues(list, catalog);
  const number = cat.spriteNumber ?? defaultPoseNumber(from);
  const pose = from.poses.find((p) => p.number === number);
  const legacy = isModern(from) ? pose?.legacyNumber : number;
  const same = isModern(catalog)
    ? catalog.poses.find((p) => p.legacyNumber === legacy && legacy !== null)
    : catalog.poses.find((p) => p.number === legacy);
  fitted.spriteNumber = same ? same.number : defaultPoseNumber(catalog);
  for (const [param, label, list] of SINGLE_TRAITS) {
    if (cat[param] === undefined) continue;
    const accepted = param === "colour" || (param === "whitePatchesTint" && !isModern(catalog))
      ? colourNames(catalog, param === "whitePatchesTint")
      : values(list);
    if (has(accepted, cat[param])) fitted[param] = cat[param];
    else dropped.push(`${label.toLowerCase()} ${cat[param]}`);
  }
  const colours = colourNames(catalog);
  const layers = (cat.tortie || []).filter((layer) =>
    has(catalog.pelts, layer.pattern) && has(colours, layer.colour) && (!layer.mask || has(catalog.tortieMasks, layer.mask)));
  if (layers.length) fitted.tortie = layers;
  if (layers.length < (cat.tortie || []).length) dropped.push("tortie patches");
  for (const [param, entries] of [["scars", catalog.scars], ["accessories", catalog.accessories]]) {
    const names = entries.map((e) => e.name);
    const kept = (cat[param] || []).filter((name) => has(names, name));
    if (kept.length) fitted[param] = kept;
    for (const name of cat[param] || []) if (!has(names, name)) dropped.push(name);
  }
  for (const [param] of FLAGS) if (cat[param]) fitted[param] = true;
  if (cat.afterlife) fitted.afterlife = cat.afterlife;
  if (cat.opacity !== undefined) fitted.opacity = cat.opacity;
  state.cat = fitted;
  if (isModern(catalog) && fitted.darkForest && !fitted.dead) dropped.push("living Dark Forest cats");
  fitLife(catalog);
  if (fitted.afterlife && !catalog.afterlives.some((a) => a.name === fitted.afterlife)) {
    dropped.push(afterlifeLabel(fitted.afterlife));
    delete fitted.afterlife;
  }
  return dropped;
}

// The modern layout has no living Dark Forest cat, and Dark Forest is an afterlife there.
function fitLife(catalog = state.catalog) {
  const cat = state.cat;
  if (!isModern(catalog) || !cat.darkForest) return;
  if (cat.dead && !cat.afterlife) cat.afterlife = "darkForest";
  delete cat.darkForest;
}

// A /render body's cat (a save's cat, a pixel-cat-maker cat, a code) as the page keeps it:
// one spelling of each trait (the lists, not the single fields), defaults left out, the
// pose by its number in ``catalog``'s list.
function catOfRequest(payload, catalog) {
  const params = { ...(payload.params || {}) };
  const pose = poseNumber(payload.pose ?? params.pose ?? payload.spriteNumber ?? params.spriteNumber, catalog);
  for (const key of ["pose", "spriteNumber", "pack"]) delete params[key];
  if (!Array.isArray(params.scars) && params.scar) params.scars = [params.scar];
  if (!Array.isArray(params.accessories) && params.accessory) params.accessories = [params.accessory];
  if (params.isTortie !== false && !params.tortie?.length && params.isTortie && params.tortiePattern) {
    const layer = { pattern: params.tortiePattern, colour: params.tortieColour || "GINGER" };
    if (params.tortieMask) layer.mask = params.tortieMask;
    params.tortie = [layer];
  }
  if (params.isTortie === false) delete params.tortie;
  for (const key of ["scar", "accessory", "isTortie", "tortiePattern", "tortieColour", "tortieMask"]) delete params[key];
  const saved = state.cat;
  state.cat = {};
  for (const [name, value] of Object.entries(params)) setParam(name, value);
  fitLife(catalog);
  const cat = state.cat;
  state.cat = saved;
  cat.spriteNumber = pose ?? defaultPoseNumber(catalog);
  return cat;
}

// The pack to draw a request with: the one it names, or the service's default when it names
// none or one the service lists under another name (a service given a single sprite folder
// calls its pack "default", where a save's answer says "lifegen").
function packOfRequest(request) {
  const named = request.options?.pack;
  return named && state.packNames.includes(named) ? named : state.defaultPack;
}

// Opens a /render body's cat in the editor, on its pack.
async function openRequest(request) {
  const pack = packOfRequest(request);
  if (pack) await usePack(pack);
  state.cat = catOfRequest(request.payload || {}, state.catalog);
  state.seed = null;
  $("pack-status").textContent = "";
  syncControls();
}

async function switchPack() {
  const pack = $("pack").value;
  const from = state.catalog;
  const status = $("pack-status");
  let catalog;
  try {
    catalog = await loadCatalog(pack);
  } catch (error) {
    status.textContent = `The ${pack} pack could not be opened: ${error.message}.`;
    $("pack").value = state.pack;
    return;
  }
  const dropped = fitCat(state.cat, from, catalog);
  const cat = state.cat;
  await usePack(pack);
  state.cat = cat;
  state.seed = null;
  status.textContent = dropped.length
    ? `Now drawn with the ${pack} pack, which has no ${dropped.join(", ")}: ${dropped.length === 1 ? "it was" : "those were"} left out.`
    : `Now drawn with the ${pack} pack.`;
  syncControls();
  changed();
}

// --- the cat's params ------------------------------------------------------------------------

function setParam(name, value) {
  const empty =
    value === undefined || value === null || value === "" || value === false ||
    (Array.isArray(value) && value.length === 0) || DEFAULTS[name] === value;
  if (empty) delete state.cat[name];
  else state.cat[name] = value;
}

// What a living cat cannot have goes with its death; what Dark Forest rules out goes too.
function tidyCat() {
  const cat = state.cat;
  if (!cat.dead) {
    delete cat.afterlife;
    delete cat.opacity;
  } else if (cat.darkForest && cat.afterlife && cat.afterlife !== "darkForest") {
    delete cat.afterlife;
  }
  fitLife();
}

// The /render body of the cat on screen. The pack is always named, so a code keeps meaning
// the same cat whatever the service's default pack; the modern layout's pose goes by name.
function renderBody(extraOptions = {}) {
  const params = { ...state.cat };
  const number = params.spriteNumber ?? defaultPoseNumber();
  delete params.spriteNumber;
  const payload = isModern() ? { pose: poseName(number), params } : { spriteNumber: number, params };
  return {
    payload,
    options: { ...packOption(), scale: state.scale, background: state.background, ...extraOptions },
  };
}

// ``options.pack`` of every drawing (none when the service did not name its packs).
function packOption() {
  return state.pack ? { pack: state.pack } : {};
}

// A plain cat in the pack's default pose (for colour thumbnails).
function plainPayload() {
  return isModern() ? { pose: state.catalog.defaultPose, params: {} } : { spriteNumber: 8, params: {} };
}

// A change made by hand: the cat is no longer the seed's.
function edited() {
  state.seed = null;
  showSeed();
  changed();
}

// --- controls --------------------------------------------------------------------------------

function fieldId(param) {
  return `trait-${param}`;
}

function errorSlot(param) {
  return el("p", { class: "error", id: `error-${param}`, role: "alert", hidden: true });
}

function colourIndex() {
  if (state.colours) return state.colours;
  const index = new Map();
  for (const entry of state.catalog.colours) index.set(entry.name, { kind: "game", palette: null });
  for (const palette of state.catalog.palettes || []) {
    for (const colour of palette.colours) {
      index.set(colour.name, { kind: colour.kind, palette, colour, swatch: swatchColour(colour) });
    }
  }
  state.colours = index;
  return index;
}

// The colour of a flat palette colour over white: multiplied, then screened at its alpha.
function swatchColour(colour) {
  if (!colour.multiply && !colour.screen) return null;
  let rgb = colour.multiply ? [...colour.multiply] : [255, 255, 255];
  if (colour.screen) {
    const [sr, sg, sb, alpha] = colour.screen;
    rgb = rgb.map((c, i) => {
      const screened = 255 - ((255 - c) * (255 - [sr, sg, sb][i])) / 255;
      return c + (screened - c) * alpha;
    });
  }
  return `rgb(${rgb.map((c) => Math.round(c)).join(", ")})`;
}

// Every colour name a colour trait takes on ``catalog``'s pack: the game's, each palette's
// (the legacy layout only) and, for white patches, the tints.
function colourNames(catalog, tints = false) {
  const names = catalog.colours.map((entry) => entry.name);
  for (const palette of catalog.palettes || []) names.push(...palette.colours.map((colour) => colour.name));
  if (tints) names.push(...catalog.whitePatchesTints.map((entry) => entry.name));
  return names;
}

// Whether a trait picks among colours (with the colour browser) on the pack on screen: the
// coat colour always; white patch tints only on the legacy layout, where colours paint them.
function isColourTrait(param) {
  return param === "colour" || (param === "whitePatchesTint" && !isModern());
}

// The options of a colour select: the game's colours, then each palette's (patterns marked).
function fillColourSelect(select, { tints = false, allowNone = false } = {}) {
  const c = state.catalog;
  if (allowNone) select.append(option("", "none"));
  if (tints) {
    const group = el("optgroup", { label: "White patch tints" });
    for (const entry of c.whitePatchesTints) if (entry.name !== "none") group.append(option(entry.name));
    select.append(group);
  }
  const game = el("optgroup", { label: tints ? "Game colours (paint the patches)" : "Game colours" });
  for (const entry of c.colours) game.append(option(entry.name));
  select.append(game);
  for (const palette of c.palettes || []) {
    const group = el("optgroup", { label: `Palette: ${palette.label}` });
    for (const colour of palette.colours) {
      group.append(option(colour.name, colour.kind === "pattern" ? `${colour.name} (pattern)` : colour.name));
    }
    select.append(group);
  }
}

// A colour select with a panel to browse the colours as swatches (palette colours) and
// thumbnails (game and pattern colours), searchable.
function colourField(id, label, { tints = false, allowNone = false, onPick }) {
  const select = el("select", { id });
  fillColourSelect(select, { tints, allowNone });
  const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
  const toggle = el("button", {
    type: "button",
    id: `${id}-browse`,
    text: "Browse",
    "aria-expanded": "false",
    "aria-controls": `${id}-panel`,
    "aria-label": `Browse ${label.toLowerCase()}s`,
  });
  const panel = el("div", { class: "colour-panel", id: `${id}-panel`, hidden: true });
  const sync = () => {
    const known = colourIndex().get(select.value);
    swatch.style.background = known?.swatch || (known ? "" : "transparent");
    swatch.hidden = !known?.swatch;
    for (const button of panel.querySelectorAll("button[data-colour]")) {
      button.setAttribute("aria-pressed", String(button.dataset.colour === select.value));
    }
  };
  select.addEventListener("change", () => {
    onPick(select.value);
    sync();
  });
  toggle.addEventListener("click", () => {
    const open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open && !panel.childElementCount) buildColourPanel(panel, id, select, tints, (value) => {
      select.value = value;
      onPick(value);
      sync();
    });
    sync();
  });
  const row = el("div", { class: "colour-row" }, select, toggle);
  const field = el("div", { class: "field" }, el("label", { for: id, text: label }), row, swatch, panel);
  field.syncColour = sync;
  return field;
}

function swatchButton(name, pick, extra = {}) {
  return el("button", {
    type: "button",
    "data-colour": name,
    title: name,
    "aria-label": name,
    "aria-pressed": "false",
    onclick: () => pick(name),
    ...extra,
  });
}

function buildColourPanel(panel, id, select, tints, pick) {
  const c = state.catalog;
  const search = el("input", {
    type: "search",
    id: `${id}-search`,
    placeholder: `Search ${colourNames(c).length.toLocaleString("en")} colours`,
    autocomplete: "off",
  });
  const parts = [el("label", { for: search.id, text: "Search colours by name" }), search];
  if (tints) {
    const row = el("div", { class: "swatches" });
    for (const entry of c.whitePatchesTints) {
      if (entry.name === "none") continue;
      row.append(swatchButton(entry.name, pick, { style: `background: rgb(${entry.rgb.join(",")})` }));
    }
    parts.push(el("h4", { text: "White patch tints" }), row);
  }
  const game = el("div", { class: "swatches", "data-group": "game" });
  for (const entry of c.colours) game.append(swatchButton(entry.name, pick, { class: "thumb" }));
  parts.push(el("h4", { text: "Game colours" }), game);
  thumbnails(game, c.colours.map((e) => e.name));

  const palettes = c.palettes || []; // the modern layout draws the game's colours only
  const flat = palettes.filter((p) => p.colours.some((x) => x.kind !== "pattern"));
  const patterned = palettes.filter((p) => p.colours.some((x) => x.kind === "pattern"));
  if (flat.length) parts.push(el("h4", { text: "Palette colours" }));
  for (const palette of flat) {
    const row = el("div", { class: "swatches" });
    for (const colour of palette.colours) {
      if (colour.kind === "pattern") continue;
      row.append(swatchButton(colour.name, pick, { style: `background: ${swatchColour(colour)}` }));
    }
    parts.push(el("details", { "data-palette": palette.id }, el("summary", { text: `${palette.label} (${row.childElementCount})` }), row));
  }
  if (patterned.length) parts.push(el("h4", { text: "Pattern colours" }));
  for (const palette of patterned) {
    const names = palette.colours.filter((x) => x.kind === "pattern").map((x) => x.name);
    const row = el("div", { class: "swatches" });
    for (const name of names) row.append(swatchButton(name, pick, { class: "thumb" }));
    const details = el("details", { "data-palette": palette.id },
      el("summary", { text: `${palette.label} (${names.length} patterns)` }), row);
    details.addEventListener("toggle", () => {
      if (details.open && !row.dataset.loaded) thumbnails(row, names);
    });
    parts.push(details);
  }
  panel.replaceChildren(...parts);
  search.addEventListener("input", () => {
    const words = search.value.toUpperCase().split(/\s+/).filter(Boolean);
    for (const button of panel.querySelectorAll("button[data-colour]")) {
      button.hidden = !words.every((w) => button.dataset.colour.toUpperCase().includes(w));
    }
    for (const details of panel.querySelectorAll("details")) {
      const hits = details.querySelectorAll("button[data-colour]:not([hidden])").length;
      details.hidden = words.length > 0 && hits === 0;
      if (words.length && hits && !details.open) details.open = true;
      else if (!words.length) details.open = false;
    }
  });
}

// Thumbnails of a plain cat in each colour, cut with CSS from one batch sheet.
async function thumbnails(row, names) {
  row.dataset.loaded = "1";
  const variants = names.map((name, i) => ({ id: `c${i}`, params: { colour: name } }));
  const answer = await postJSON("/render/batch", {
    payload: plainPayload(),
    variants,
    options: { ...packOption(), columns: Math.min(names.length, 20) },
  });
  if (!answer.ok) return;
  const buttons = row.querySelectorAll("button[data-colour]");
  answer.data.frames.forEach((frame, i) => {
    const button = buttons[i];
    if (!button) return;
    button.style.backgroundImage = `url(${answer.data.sheet})`;
    button.style.backgroundPosition = `${-frame.x}px ${-frame.y}px`;
  });
}

function selectField(param, label, values, allowNone) {
  if (isColourTrait(param)) {
    return el("div", {},
      colourField(fieldId(param), label, {
        tints: param === "whitePatchesTint",
        allowNone,
        onPick: (value) => {
          setParam(param, value);
          edited();
        },
      }),
      errorSlot(param));
  }
  const select = el("select", { id: fieldId(param), name: param });
  if (allowNone) select.append(option("", "none"));
  const categories = param === "whitePatches" ? state.catalog.whitePatchCategories : null;
  if (categories) {
    // The modern layout's white patches by how much white they give, as the game groups them.
    for (const category of categories) {
      select.append(el("optgroup", { label: `${category.name} white` }, ...category.names.map((n) => option(n))));
    }
  } else {
    for (const value of values) select.append(option(value));
  }
  select.addEventListener("change", () => {
    setParam(param, select.value);
    edited();
  });
  return el("div", { class: "field" }, el("label", { for: select.id, text: label }), select, errorSlot(param));
}

function listValues(name, c = state.catalog) {
  if (name === "colours") return c.colours.map((entry) => entry.name);
  if (name === "tintNames") {
    const names = [...c.tints, ...(c.diluteTints || [])].map((entry) => entry.name);
    return [...new Set(names)].filter((n) => n !== "none");
  }
  if (name === "whitePatchesTints") return c.whitePatchesTints.map((e) => e.name).filter((n) => n !== "none");
  if (name === "eyeColours2") return (c.eyeColours2 || c.eyeColours).filter((n) => n !== "none");
  return c[name].filter((n) => n !== "none");
}

// A searchable multiple choice (scars, accessories): the order picked is the drawing order.
function multiField(param, label, entries) {
  const search = el("input", {
    type: "search",
    id: `${fieldId(param)}-search`,
    placeholder: `Search ${entries.length}`,
    autocomplete: "off",
  });
  const chips = el("ul", { class: "chips", id: `${fieldId(param)}-chosen`, "aria-label": `${label} chosen, in drawing order` });
  const list = el("div", { class: "pick-list", role: "group", "aria-label": label, id: fieldId(param) });
  const boxes = new Map();
  for (const entry of entries) {
    const id = `${fieldId(param)}-${slug(entry.name)}`;
    const box = el("input", { type: "checkbox", id, value: entry.name });
    box.addEventListener("change", () => {
      const chosen = [...(state.cat[param] || [])].filter((n) => n !== entry.name);
      if (box.checked) chosen.push(entry.name);
      setParam(param, chosen);
      syncChips();
      edited();
    });
    const row = el("div", { class: "check", "data-search": `${entry.name} ${entry.hint || ""}`.toLowerCase() },
      box, el("label", { for: id, text: entry.hint ? `${entry.name} (${entry.hint})` : entry.name }));
    boxes.set(entry.name, box);
    list.append(row);
  }
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const row of list.children) {
      row.hidden = !words.every((w) => row.dataset.search.includes(w));
    }
  });
  function syncChips() {
    const chosen = state.cat[param] || [];
    chips.replaceChildren(...chosen.map((name) =>
      el("li", {}, el("button", {
        type: "button",
        "aria-label": `Remove ${name}`,
        text: `${name} ×`,
        onclick: () => {
          setParam(param, (state.cat[param] || []).filter((n) => n !== name));
          syncChips();
          edited();
        },
      }))));
    for (const [name, box] of boxes) box.checked = chosen.includes(name);
  }
  multiSync.push(syncChips);
  return el("fieldset", {},
    el("legend", { text: label }),
    el("label", { for: search.id, text: `Search ${label.toLowerCase()}` }),
    search, chips, list, errorSlot(param));
}
const multiSync = [];

function tortieField() {
  const c = state.catalog;
  const rows = el("div", { id: fieldId("tortie") });
  const add = el("button", { type: "button", id: "tortie-add", text: "Add a tortie layer" });
  function update(index, key, value) {
    const next = structuredClone(state.cat.tortie);
    next[index][key] = value;
    if (value === null) delete next[index][key];
    setParam("tortie", next);
    edited();
  }
  function sync() {
    const layers = state.cat.tortie || [];
    rows.replaceChildren(...layers.map((layer, index) => {
      const base = `${fieldId("tortie")}-${index}`;
      const plain = (key, label, values, none = null) => {
        const select = el("select", { id: `${base}-${key}` });
        if (none) select.append(option("", none));
        for (const value of values) select.append(option(value));
        select.value = layer[key] ?? "";
        select.addEventListener("change", () => update(index, key, select.value || null));
        return el("div", { class: "field" }, el("label", { for: select.id, text: label }), select);
      };
      const colour = colourField(`${base}-colour`, `Colour ${index + 1}`, {
        onPick: (value) => update(index, "colour", value),
      });
      colour.querySelector("select").value = layer.colour;
      colour.syncColour();
      const remove = el("button", {
        type: "button",
        text: "Remove",
        "aria-label": `Remove tortie layer ${index + 1}`,
        onclick: () => {
          setParam("tortie", (state.cat.tortie || []).filter((_, i) => i !== index));
          sync();
          edited();
        },
      });
      return el("div", { class: "tortie-layer" },
        el("h4", { text: `Layer ${index + 1}` }),
        plain("pattern", `Pattern ${index + 1}`, c.pelts),
        colour,
        plain("mask", `Mask ${index + 1}`, c.tortieMasks, layer.mask ? null : "none (the whole coat)"),
        remove);
    }));
    add.disabled = layers.length >= c.maxListLength;
  }
  add.addEventListener("click", () => {
    const layers = [...(state.cat.tortie || [])];
    layers.push({ pattern: c.pelts[1] || c.pelts[0], colour: "GINGER", mask: c.tortieMasks[0] });
    if (!c.colours.some((e) => e.name === "GINGER")) layers.at(-1).colour = c.colours[0].name;
    setParam("tortie", layers);
    sync();
    edited();
  });
  multiSync.push(sync);
  return el("fieldset", {},
    el("legend", { text: "Tortie patches" }),
    el("p", { class: "hint", text: "Layers are drawn in order over the coat." }),
    rows, add, errorSlot("tortie"));
}

// The modern layout's collar: a type and one of its colours (the accessory ``TYPE_colour``).
// A cat wears one collar; choosing another replaces it.
function collarField() {
  const c = state.catalog;
  const collars = new Set(c.accessories.filter((a) => a.kind === "collar").map((a) => a.name));
  const type = el("select", { id: "trait-collar" }, option("", "none"), ...c.collarTypes.map((t) => option(t.type)));
  const colour = el("select", { id: "trait-collar-colour" });
  const worn = () => (state.cat.accessories || []).find((name) => collars.has(name));
  // The type and colour of a collar name: the longest type it starts with (LEATHER_BELL, not LEATHER).
  const split = (name) => {
    const fits = c.collarTypes.filter((t) => name.startsWith(`${t.type}_`) && t.colours.includes(name.slice(t.type.length + 1)));
    const best = fits.sort((a, b) => b.type.length - a.type.length)[0];
    return best ? [best.type, name.slice(best.type.length + 1)] : ["", ""];
  };
  const fillColours = (chosen) => {
    const entry = c.collarTypes.find((t) => t.type === chosen);
    colour.replaceChildren(...(entry ? entry.colours.map((name) => option(name)) : []));
    colour.disabled = !entry;
  };
  const wear = () => {
    const others = (state.cat.accessories || []).filter((name) => !collars.has(name));
    setParam("accessories", type.value ? [`${type.value}_${colour.value}`, ...others] : others);
    for (const sync of multiSync) sync();
    edited();
  };
  type.addEventListener("change", () => {
    fillColours(type.value);
    wear();
  });
  colour.addEventListener("change", wear);
  function sync() {
    const [chosenType, chosenColour] = worn() ? split(worn()) : ["", ""];
    type.value = chosenType;
    fillColours(chosenType);
    if (chosenColour) colour.value = chosenColour;
  }
  multiSync.push(sync);
  return el("fieldset", {},
    el("legend", { text: "Collar" }),
    el("div", { class: "field" }, el("label", { for: type.id, text: "Collar type" }), type),
    el("div", { class: "field" }, el("label", { for: colour.id, text: "Collar colour" }), colour));
}

function poseButton(pose, label) {
  return el("button", {
    type: "button",
    "data-pose": pose.number,
    "data-pose-name": pose.name || null,
    "aria-label": label,
    title: label,
    "aria-pressed": "false",
    onclick: () => {
      state.cat.spriteNumber = pose.number;
      syncPoses();
      edited();
    },
  });
}

// The pose picker: a thumbnail of the cat in each pose. The modern layout's named poses come
// grouped by life stage, as the game picks them.
function poseField() {
  const c = state.catalog;
  const parts = [el("legend", { text: "Pose" })];
  if (isModern()) {
    const stages = [...new Set(c.poses.map((p) => p.lifeStage))]; // in the pack's order
    const groups = el("div", { class: "pose-stages" });
    for (const stage of stages) {
      const poses = c.poses.filter((p) => p.lifeStage === stage);
      const title = poses[0].description;
      groups.append(el("div", { class: "pose-stage" },
        el("h4", { id: `pose-stage-${stage}`, text: title }),
        el("div", { class: "poses", role: "group", "aria-labelledby": `pose-stage-${stage}` },
          ...poses.map((pose) => poseButton(pose, `${pose.name} (${pose.description})`)))));
    }
    parts.push(groups);
    parts[0].id = fieldId("spriteNumber");
  } else {
    parts.push(el("div", { class: "poses", role: "group", "aria-label": "Pose", id: fieldId("spriteNumber") },
      ...c.poses.map((pose) => poseButton(pose, `Pose ${pose.number}: ${pose.description}`))));
  }
  multiSync.push(syncPoses);
  return el("fieldset", {}, ...parts, errorSlot("spriteNumber"));
}

function syncPoses() {
  const number = state.cat.spriteNumber ?? defaultPoseNumber();
  for (const button of document.querySelectorAll(".poses button")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.pose) === number));
  }
}

// Pose thumbnails: one batch of every pose of the current cat, cut with CSS.
const refreshPoseThumbnails = debounce(async () => {
  const c = state.catalog;
  const body = renderBody();
  const pack = state.pack;
  const answer = await postJSON("/render/batch", {
    payload: body.payload,
    variants: c.poses.map((p) => (isModern(c) ? { id: p.name, pose: p.name } : { id: String(p.number), spriteNumber: p.number })),
    options: { ...packOption(), columns: c.poses.length },
  });
  if (!answer.ok || pack !== state.pack) return; // the pack changed meanwhile
  for (const button of document.querySelectorAll(".poses button")) {
    const frame = answer.data.frames[Number(button.dataset.pose)];
    button.style.backgroundImage = `url(${answer.data.sheet})`;
    button.style.backgroundPosition = `${-frame.x}px ${-frame.y}px`;
  }
}, 400);

// The flags the pack on screen takes: on the modern layout the Dark Forest is an afterlife
// (a dead cat's), not a flag of its own.
function flags() {
  return isModern() ? FLAGS.filter(([param]) => param !== "darkForest") : FLAGS;
}

function flagsField() {
  const checks = flags().map(([param, label]) => {
    const box = el("input", { type: "checkbox", id: fieldId(param), name: param });
    box.addEventListener("change", () => {
      setParam(param, box.checked);
      tidyCat();
      syncLife();
      edited();
    });
    return el("div", {}, el("div", { class: "check" }, box, el("label", { for: box.id, text: label })), errorSlot(param));
  });
  const afterlife = el("select", { id: fieldId("afterlife"), name: "afterlife" });
  afterlife.append(option("", isModern() ? "default (StarClan)" : "default (StarClan, or the Dark Forest when ticked)"));
  for (const entry of state.catalog.afterlives) afterlife.append(option(entry.name, afterlifeLabel(entry.name)));
  afterlife.addEventListener("change", () => {
    setParam("afterlife", afterlife.value);
    edited();
  });
  const opacity = el("input", { type: "range", id: fieldId("opacity"), min: 0, max: 100, step: 1, value: 100 });
  const shown = el("output", { for: opacity.id, id: "opacity-value", text: "100" });
  opacity.addEventListener("input", () => {
    shown.textContent = opacity.value;
    setParam("opacity", Number(opacity.value) === 100 ? null : Number(opacity.value));
    edited();
  });
  return el("fieldset", {},
    el("legend", { text: "Life and afterlife" }),
    ...checks,
    el("p", { class: "hint", id: "afterlife-hint", text: "Tick Dead to choose an afterlife and how faded the cat is." }),
    el("div", { class: "field", id: "afterlife-field" }, el("label", { for: afterlife.id, text: "Afterlife" }), afterlife, errorSlot("afterlife")),
    el("div", { class: "field", id: "opacity-field" }, el("label", { for: opacity.id, text: "Opacity (dead cats fade)" }), opacity, shown, errorSlot("opacity")));
}

function afterlifeLabel(name) {
  return { starclan: "StarClan", darkForest: "the Dark Forest", unknownResidence: "the Unknown Residence" }[name] || name;
}

// Only what the cat can take: an afterlife and fading for dead cats; with Dark Forest ticked,
// no afterlife but the Dark Forest.
function syncLife() {
  const dead = Boolean(state.cat.dead);
  $("afterlife-field").hidden = !dead;
  $("opacity-field").hidden = !dead;
  $("afterlife-hint").hidden = dead;
  for (const entry of $(fieldId("afterlife")).options) {
    entry.disabled = Boolean(state.cat.darkForest) && entry.value !== "" && entry.value !== "darkForest";
  }
}

// The trait controls, from the catalog of the pack on screen (built again on a pack switch).
function buildTraits() {
  const c = state.catalog;
  multiSync.length = 0;
  const random = el("div", { class: "seed-bar" },
    el("div", { class: "field" },
      el("label", { for: "seed", text: "Seed of the cat on screen" }),
      el("input", { type: "number", id: "seed", min: 0, inputmode: "numeric", placeholder: "type a seed", "aria-describedby": "seed-hint" })),
    el("button", { type: "button", id: "random", text: "Random cat", onclick: randomCat }));
  const coat = el("fieldset", {}, el("legend", { text: "Coat and eyes" }));
  for (const [param, label, list, none] of SINGLE_TRAITS) {
    coat.append(selectField(param, label, listValues(list), none));
  }
  // On the modern layout collars have their own picker (a type and its colours).
  const accessories = c.accessories.filter((a) => a.kind !== "collar");
  $("trait-controls").replaceChildren(
    random,
    el("p", { class: "hint", id: "seed-hint" }),
    poseField(),
    coat,
    tortieField(),
    multiField("scars", "Scars", c.scars.map((s) => ({ name: s.name, hint: s.kind === "missingPart" ? "missing part" : "" }))),
    isModern() ? collarField() : null,
    multiField("accessories", "Accessories", accessories.map((a) => ({ name: a.name, hint: a.category }))),
    flagsField(),
  );
  $("traits").dataset.pack = state.pack ?? "";
  $("traits").dataset.layout = c.layout || "legacy";
  $("seed").addEventListener("input", () => {
    state.seedTyped = true;
  });
  $("seed").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      randomCat();
    }
  });
}

// The pack switch, when the service has more than one pack.
function buildPackSwitch(packs) {
  const select = $("pack");
  const names = packs.map((p) => p.name);
  select.replaceChildren(...names.map((name) => option(name, PACK_LABELS[name] || name)));
  if (state.pack) select.value = state.pack;
  $("pack-field").hidden = names.length < 2;
  select.addEventListener("change", switchPack);
}

// The preview's options and the tools: built once, whatever the pack.
function buildTools() {
  $("scale").replaceChildren(...SCALES.map((s) => option(String(s), `${s}×`)));
  fillBackgrounds($("background"), true);
  fillBackgrounds($("clan-background"), false);
  $("scale").addEventListener("change", () => {
    state.scale = Number($("scale").value);
    changed();
  });
  const backgrounds = $("background");
  backgrounds.addEventListener("change", () => {
    $("custom-colour-field").hidden = backgrounds.value !== "custom";
    state.background = backgrounds.value === "custom" ? $("custom-colour").value : backgrounds.value;
    changed();
  });
  $("custom-colour").addEventListener("input", () => {
    state.background = $("custom-colour").value;
    changed();
  });
  $("variants-layer").replaceChildren(...VARIANT_LAYERS.map(([id, label]) => option(id, label)));
  $("variants-show").addEventListener("click", () => showVariants(0));
  $("variants-prev").addEventListener("click", () => showVariants(variantsPage - 1));
  $("variants-next").addEventListener("click", () => showVariants(variantsPage + 1));
}

function fillBackgrounds(select, custom) {
  const groups = { colour: "Colours", platform: "Platforms", auto: "The cat's own platform" };
  const optgroups = {};
  for (const entry of state.backgrounds.entries) {
    const target = groups[entry.kind] ? (optgroups[entry.kind] ||= el("optgroup", { label: groups[entry.kind] })) : select;
    target.append(option(entry.name, entry.label));
  }
  if (custom) optgroups.colour?.append(option("custom", "custom colour…"));
  for (const kind of ["colour", "platform", "auto"]) if (optgroups[kind]) select.append(optgroups[kind]);
}

// Controls show what ``state`` holds (after a random cat, a shared link or a clan cat).
function syncControls() {
  for (const [param, , , allowNone] of SINGLE_TRAITS) {
    const select = $(fieldId(param));
    select.value = state.cat[param] ?? (allowNone ? "" : DEFAULTS[param]);
    select.closest(".field")?.syncColour?.();
  }
  for (const [param] of flags()) $(fieldId(param)).checked = Boolean(state.cat[param]);
  $(fieldId("afterlife")).value = state.cat.afterlife ?? "";
  $(fieldId("opacity")).value = state.cat.opacity ?? 100;
  $("opacity-value").textContent = String(state.cat.opacity ?? 100);
  $("scale").value = String(state.scale);
  const known = [...$("background").options].some((o) => o.value === state.background);
  $("background").value = known ? state.background : "custom";
  $("custom-colour-field").hidden = known;
  if (!known) $("custom-colour").value = state.background.slice(0, 7);
  for (const sync of multiSync) sync();
  syncLife();
  showSeed();
}

function showSeed() {
  const input = $("seed");
  if (state.seed === null) {
    input.value = "";
    $("seed-hint").textContent = "This cat was not drawn from a seed (or was changed since). Type a seed, or press Random cat.";
  } else {
    input.value = String(state.seed);
    $("seed-hint").textContent = `Cat number ${state.seed}: the same seed always draws this cat.`;
  }
}

// --- preview, layers, errors -----------------------------------------------------------------

function clearErrors() {
  for (const node of document.querySelectorAll("p.error[id^='error-']")) {
    if (["error-variants", "error-clan", "error-import"].includes(node.id)) continue;
    node.hidden = true;
    node.textContent = "";
  }
  for (const node of document.querySelectorAll("[aria-invalid='true']")) node.removeAttribute("aria-invalid");
}

// ``payload.params.scars[1]`` -> ``scars``; ``options.background`` -> ``background``.
function paramOfField(field) {
  if (!field) return null;
  const path = field.replace(/^payload\.params\./, "").replace(/^payload\./, "").replace(/^options\./, "");
  const param = path.split(/[.[]/)[0];
  return param === "pose" ? "spriteNumber" : param; // the pose picker, whichever way it is named
}

function labelOf(param) {
  if (LABELS[param]) return LABELS[param];
  const trait = SINGLE_TRAITS.find(([name]) => name === param);
  if (trait) return `The ${trait[1].toLowerCase()}`;
  return "This choice";
}

// One plain sentence about the cat for a refusal, never the API's wording.
function plainSentence(item) {
  const param = paramOfField(item.field);
  const expected = item.expected || "";
  const value = item.value;
  const suggestions = (item.suggestions || []).slice(0, 3);
  if (param === "afterlife" && /unless dead/.test(expected)) {
    return "Only a dead cat has an afterlife: tick Dead first, or leave the afterlife on default.";
  }
  if (param === "afterlife" && /darkForest is true/.test(expected)) {
    return "A Dark Forest cat can only be in the Dark Forest: untick Dark Forest to choose another afterlife.";
  }
  if (/^false: this pack has no/.test(expected)) {
    return `This sprite pack cannot draw that: it has no ${expected.replace(/^false: this pack has no /, "")}.`;
  }
  if (param === "spriteNumber") return `That pose is not one of this pack's ${state.catalog.poses.length} poses.`;
  const shown = typeof value === "string" && value ? `“${value}”` : "that";
  const what = labelOf(param);
  let sentence = `${what} cannot be ${shown}: the game has no such ${param === "background" ? "background" : "value"}`;
  if (suggestions.length) sentence += `; did you mean ${suggestions.join(" or ")}?`;
  else sentence += ".";
  return sentence;
}

function showErrors(answer) {
  const items = answer.errors && answer.errors.length ? answer.errors : [{ field: answer.field, detail: answer.detail }];
  for (const item of items) {
    const param = paramOfField(item.field);
    const slot = (param && $(`error-${param}`)) || $("error-general");
    const text = plainSentence(item);
    slot.textContent = slot.hidden ? text : `${slot.textContent} ${text}`;
    slot.hidden = false;
    const control = param && ($(fieldId(param)) || $(param));
    if (control) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", slot.id);
    }
  }
}

async function renderPreview() {
  const ticket = ++state.request;
  const preview = $("preview");
  preview.dataset.status = "loading";
  const body = renderBody({ collectLayers: true, includeLayerImages: true });
  const answer = await postJSON("/render", body);
  if (ticket !== state.request) return; // a newer change is on its way
  clearErrors();
  if (!answer.ok) {
    showErrors(answer.data);
    preview.dataset.status = "error";
    return;
  }
  const data = answer.data;
  preview.src = data.image;
  $("mini-preview").src = data.image;
  preview.width = data.meta.width;
  preview.height = data.meta.height;
  $("preview-caption").textContent =
    `${data.meta.width} × ${data.meta.height} px, on ${data.meta.background}, drawn in ${data.meta.duration_ms.toFixed(1)} ms`;
  state.code = data.code;
  showLayers(data.layers || []);
  showShare();
  preview.dataset.body = JSON.stringify(body); // what the picture shown was drawn from
  preview.dataset.renders = String(Number(preview.dataset.renders) + 1);
  preview.dataset.status = "ready";
}

function showLayers(layers) {
  $("layers").replaceChildren(...layers.map((layer) =>
    el("li", { class: layer.drawn ? "drawn" : "skipped", "data-layer": layer.id },
      layer.image ? el("img", { src: layer.image, alt: `${layer.label} layer alone` }) : el("div", { class: "hint", text: "draws nothing" }),
      el("strong", { text: layer.label }),
      el("div", { class: "blend", title: "how a canvas draws this layer over the ones before", text: layer.blend_mode }),
      el("div", { text: layer.duration_ms === null ? "" : `${layer.duration_ms.toFixed(3)} ms` }))));
}

function codeUrl(format = "png", scale = state.scale) {
  const query = new URLSearchParams({ scale: String(scale) });
  if (state.background !== "transparent") query.set("background", state.background);
  return `${location.origin}/render/${state.code}.${format}?${query}`;
}

function pageUrl() {
  const query = new URLSearchParams({ cat: state.code, scale: String(state.scale) });
  if (state.background !== "transparent") query.set("background", state.background);
  return `${location.origin}/?${query}`;
}

function showShare() {
  $("share-url").value = `${location.origin}/c/${state.code}`;
  $("code-url").value = codeUrl();
  $("page-url").value = pageUrl();
  $("page-link").href = pageUrl();
  $("downloads").replaceChildren(...FORMATS.flatMap((format) => DOWNLOAD_SCALES.map((scale) =>
    el("li", {}, el("a", { href: codeUrl(format, scale), download: `cat-${scale}x.${format}`, text: `${format.toUpperCase()} ${scale}×` })))));
}

const changed = debounce(() => {
  renderPreview();
  refreshPoseThumbnails();
  history.replaceState(null, "", location.pathname);
}, DEBOUNCE_MS);

// The small floating preview on phones, while the big one is out of sight.
function watchPreview() {
  const mini = $("mini");
  const narrow = window.matchMedia(NARROW);
  let inView = true;
  const update = () => {
    mini.hidden = inView || !narrow.matches || !$("preview").src;
  };
  new IntersectionObserver((entries) => {
    inView = entries.some((entry) => entry.isIntersecting);
    update();
  }).observe($("preview"));
  narrow.addEventListener("change", update);
}

// --- variants --------------------------------------------------------------------------------

// For each trait, its values and the params each one draws with (what the service's
// expandVariants walks, listed here so a long list can be paged).
function variantValues(layerId) {
  const c = state.catalog;
  const each = (param, values) => values.map((v) => [v, { [param]: v }]);
  const inList = (param, values) => values.map((v) => [v, { [param]: [v] }]);
  switch (layerId) {
    case "base":
      return state.cat.tortie?.length ? each("tortieMask", c.tortieMasks) : each("peltName", c.pelts);
    case "tint": return each("tint", ["none", ...listValues("tintNames")]);
    case "whitePatches": return each("whitePatches", c.whitePatches);
    case "points": return each("points", c.points);
    case "vitiligo": return each("vitiligo", c.vitiligo);
    case "eyes": return each("eyeColour", c.eyeColours);
    case "skin": return each("skinColour", c.skins);
    case "scarsPrimary": return inList("scars", c.scars.filter((s) => s.kind !== "missingPart").map((s) => s.name));
    case "scarsSecondary": return inList("scars", c.scars.filter((s) => s.kind === "missingPart").map((s) => s.name));
    case "accessories": return inList("accessories", c.accessories.map((a) => a.name));
    case "shading": return [["off", { shading: false }], ["on", { shading: true }]];
    case "lineart":
      return [["living", { dead: false, darkForest: false }],
        ...c.afterlives.map((a) => [a.name, { dead: true, darkForest: a.name === "darkForest", afterlife: a.name }])];
    case "fading": return [100, 90, 60, 30].map((o) => [String(o), { dead: true, opacity: o }]);
    default: return [];
  }
}

function applyVariant(layerId, value) {
  const cat = state.cat;
  const toggle = (param) => {
    const list = [...(cat[param] || [])];
    setParam(param, list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  };
  switch (layerId) {
    case "base":
      if (cat.tortie && cat.tortie.length) {
        const layers = structuredClone(cat.tortie);
        layers[0].mask = value;
        setParam("tortie", layers);
      } else setParam("peltName", value);
      break;
    case "eyes": setParam("eyeColour", value); break;
    case "skin": setParam("skinColour", value); break;
    case "tint": setParam("tint", value); break;
    case "scarsPrimary": case "scarsSecondary": toggle("scars"); break;
    case "accessories": toggle("accessories"); break;
    case "shading": setParam("shading", value === "on"); break;
    case "lineart":
      setParam("dead", value !== "living");
      setParam("darkForest", value === "darkForest");
      setParam("afterlife", value === "living" ? null : value);
      break;
    case "fading":
      setParam("dead", true);
      setParam("opacity", Number(value) === 100 ? null : Number(value));
      break;
    default: setParam(layerId, value);
  }
  tidyCat();
  state.seed = null;
  syncControls();
  changed();
}

// The value the cat has now for a trait (to mark its tile).
function currentValue(layerId) {
  const cat = state.cat;
  switch (layerId) {
    case "base": return cat.tortie?.length ? cat.tortie[0].mask : cat.peltName ?? DEFAULTS.peltName;
    case "eyes": return cat.eyeColour ?? DEFAULTS.eyeColour;
    case "skin": return cat.skinColour ?? DEFAULTS.skinColour;
    case "tint": return cat.tint ?? "none";
    case "shading": return cat.shading ? "on" : "off";
    case "lineart": return cat.dead ? cat.afterlife ?? (cat.darkForest ? "darkForest" : "starclan") : "living";
    case "fading": return cat.dead ? String(cat.opacity ?? 100) : null;
    case "whitePatches": case "points": case "vitiligo": return cat[layerId] ?? null;
    default: return null;
  }
}

let variantsPage = 0;

async function showVariants(page) {
  const layerId = $("variants-layer").value;
  const values = variantValues(layerId);
  const pages = Math.max(1, Math.ceil(values.length / PAGE_SIZE));
  variantsPage = Math.min(Math.max(page, 0), pages - 1);
  const start = variantsPage * PAGE_SIZE;
  const shown = values.slice(start, start + PAGE_SIZE);
  const slot = $("error-variants");
  slot.hidden = true;
  $("variants-status").textContent = "Drawing the variants…";
  const body = renderBody();
  // The first frame is the cat as it is: every tile drawn the same is marked as such.
  const variants = [
    { id: "now", label: "now", params: {} },
    ...shown.map(([value, params], i) => ({ id: `v${start + i}`, label: value.slice(0, 128), group: layerId, params })),
  ];
  const answer = await postJSON("/render/batch", {
    payload: body.payload,
    variants,
    options: { ...packOption(), columns: 10, scale: 1 },
  });
  const sheet = $("variants");
  if (!answer.ok) {
    slot.textContent = answer.data.errors?.length ? plainSentence(answer.data.errors[0]) : "These variants could not be drawn.";
    slot.hidden = false;
    $("variants-status").textContent = "";
    sheet.replaceChildren();
    return;
  }
  const data = answer.data;
  const same = await sameAsFirst(data);
  const now = currentValue(layerId);
  const tiles = data.frames.slice(1).map((frame, i) => {
    const value = shown[i][0];
    const isSame = same[i + 1];
    const isNow = value === now;
    const note = isNow ? "your cat" : isSame === "same" ? "same as now" : isSame ? "looks the same" : "";
    return el("button", {
      type: "button",
      class: [isSame ? "same" : "", isNow ? "current" : ""].join(" ").trim() || null,
      "data-variant": value,
      "aria-label": `Use ${value}${note ? ` (${note})` : ""}`,
      onclick: () => applyVariant(layerId, value),
    },
    tilePicture(data, frame, 2),
    el("span", { class: "tile-label", text: value }),
    note ? el("span", { class: "tile-note", text: note }) : null);
  });
  sheet.replaceChildren(...tiles);
  const alike = same.slice(1).filter(Boolean).length;
  const range = values.length > PAGE_SIZE ? `${start + 1}–${start + shown.length} of ${values.length}` : `${values.length}`;
  $("variants-status").textContent =
    `${range} values of ${layerId}` +
    (alike ? `; ${alike} on this page draw the same as your cat, or nearly (marked “same as now” or “looks the same”).` : ".");
  $("variants-pager").hidden = pages < 2;
  $("variants-page").textContent = `Page ${variantsPage + 1} of ${pages}`;
  $("variants-prev").disabled = variantsPage === 0;
  $("variants-next").disabled = variantsPage >= pages - 1;
}

function tilePicture(data, frame, zoom) {
  const picture = el("span", { class: "tile-picture", "aria-hidden": "true" });
  picture.style.backgroundImage = `url(${data.sheet})`;
  picture.style.backgroundSize = `${data.width * zoom}px ${data.height * zoom}px`;
  picture.style.backgroundPosition = `${-frame.x * zoom}px ${-frame.y * zoom}px`;
  picture.style.width = `${frame.width * zoom}px`;
  picture.style.height = `${frame.height * zoom}px`;
  return picture;
}

const LOOKS_SAME = 24; // largest channel difference the eye does not tell apart on a sprite

// For each frame of a sheet: "same" when it holds exactly the pixels of the first frame,
// "alike" when no pixel differs by more than LOOKS_SAME (white patches on a white coat),
// else false.
async function sameAsFirst(data) {
  const image = new Image();
  image.src = data.sheet;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = data.width;
  canvas.height = data.height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(image, 0, 0);
  const pixels = (f) => context.getImageData(f.x, f.y, f.width, f.height).data;
  const first = pixels(data.frames[0]);
  return data.frames.map((frame) => {
    const other = pixels(frame);
    if (other.length !== first.length) return false;
    let verdict = "same";
    for (let i = 0; i < other.length; i++) {
      const difference = Math.abs(other[i] - first[i]);
      if (difference > LOOKS_SAME) return false;
      if (difference) verdict = "alike";
    }
    return verdict;
  });
}

// --- random cat ------------------------------------------------------------------------------

// Draws the cat of the seed typed in the box; when nothing was typed since the last cat, a
// new seed's cat. The box always shows the seed of the cat on screen.
function randomCat() {
  const typed = $("seed").value.trim();
  let seed;
  if (state.seedTyped && typed !== "" && Number.isFinite(Number(typed))) {
    seed = Math.abs(Math.trunc(Number(typed))) >>> 0;
  } else {
    seed = Math.floor(Math.random() * 1_000_000);
  }
  state.seedTyped = false;
  state.cat = catOfSeed(seed);
  state.seed = seed;
  syncControls();
  changed();
}

function catOfSeed(seed) {
  const c = state.catalog;
  const next = generator(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const colours = c.colours.map((e) => e.name);
  const paletteColours = (c.palettes || []).flatMap((p) => p.colours.map((x) => x.name));
  const colour = () => (paletteColours.length && chance(0.25) ? pick(paletteColours) : pick(colours));
  // Kittens to seniors: no newborn, paralysed or sick poses.
  const everyday = isModern()
    ? c.poses.filter((p) => !/^(newborn|paralysed|sick)/.test(p.lifeStage))
    : c.poses.filter((p) => p.number <= 14);
  const cat = {
    spriteNumber: pick(everyday).number,
    peltName: pick(c.pelts),
    colour: colour(),
    eyeColour: pick(c.eyeColours),
    skinColour: pick(c.skins),
    shading: chance(0.5),
  };
  if (chance(0.2)) cat.eyeColour2 = pick(listValues("eyeColours2"));
  if (chance(0.3)) cat.tint = pick(listValues("tintNames"));
  if (chance(0.5)) cat.whitePatches = pick(listValues("whitePatches"));
  if (chance(0.15)) cat.points = pick(listValues("points"));
  if (chance(0.1)) cat.vitiligo = pick(listValues("vitiligo"));
  if (chance(0.3)) cat.tortie = [{ pattern: pick(c.pelts), colour: colour(), mask: pick(c.tortieMasks) }];
  if (chance(0.3)) cat.scars = [pick(c.scars.filter((s) => s.kind === "scar")).name];
  if (chance(0.4)) cat.accessories = [pick(c.accessories).name];
  const saved = state.cat;
  state.cat = {};
  for (const [name, value] of Object.entries(cat)) setParam(name, value);
  const made = state.cat;
  made.spriteNumber = cat.spriteNumber;
  state.cat = saved;
  return made;
}

// --- shared links ----------------------------------------------------------------------------

// A code is "1" + URL-safe base64 of the raw-deflated params JSON (see the service's codes).
async function decodeCode(code) {
  if (!code.startsWith("1")) throw new Error("unknown code version");
  const text = code.slice(1).replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(text + "=".repeat((4 - (text.length % 4)) % 4)), (ch) => ch.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return JSON.parse(await new Response(stream).text());
}

// A link's cat: its code holds its params and its pack (none: the service's default pack).
async function openSharedCat() {
  const query = new URLSearchParams(location.search);
  if (!query.has("cat") && !query.has("scale") && !query.has("background")) return;
  state.scale = Number(query.get("scale")) || 4;
  state.background = query.get("background") || "transparent";
  if (!query.has("cat")) return;
  try {
    const params = await decodeCode(query.get("cat"));
    await openRequest({ payload: { params }, options: { pack: params.pack } });
  } catch (error) {
    $("error-general").textContent = `The link's cat could not be read (${error.message}); here is another one.`;
    $("error-general").hidden = false;
  }
}

// --- a whole clan ----------------------------------------------------------------------------

const clan = { cats: [], page: 0, ticket: 0 };

// The text of clan_cats.json in a zip (the save folder, zipped): the shortest such path.
async function clanFromZip(buffer) {
  const view = new DataView(buffer);
  let end = -1;
  for (let i = buffer.byteLength - 22; i >= Math.max(0, buffer.byteLength - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("the file is not a zip");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  let found = null;
  const decoder = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) break;
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(new Uint8Array(buffer, at + 46, nameLength));
    if (/(^|\/)clan_cats\.json$/.test(name) && (!found || name.length < found.name.length)) {
      found = { name, method, size, local };
    }
    at += 46 + nameLength + extra + comment;
  }
  if (!found) throw new Error("the zip holds no clan_cats.json");
  const skip = 30 + view.getUint16(found.local + 26, true) + view.getUint16(found.local + 28, true);
  const data = new Uint8Array(buffer, found.local + skip, found.size);
  if (found.method === 0) return decoder.decode(data);
  if (found.method !== 8) throw new Error("clan_cats.json is packed in a way browsers cannot open");
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).text();
}

// Reads a save with POST /save/params. A zipped save folder goes as it is (the service reads
// its conditions too: sick cats in their sick pose); a zip the service cannot place
// (clan_cats.json deeper than one folder) goes as its clan_cats.json alone.
async function readSave(file) {
  const buffer = await file.arrayBuffer();
  const head = new Uint8Array(buffer, 0, Math.min(4, buffer.byteLength));
  if (!(head[0] === 0x50 && head[1] === 0x4b)) return postJSON("/save/params", new TextDecoder().decode(buffer), true);
  const answer = await postRaw("/save/params", buffer, "application/zip");
  if (answer.ok || answer.data.error !== "invalid_archive") return answer;
  return postJSON("/save/params", await clanFromZip(buffer), true);
}

async function postRaw(url, body, type) {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": type, Accept: "application/json" }, body });
  let data;
  try {
    data = await response.json();
  } catch {
    data = { error: "bad_answer", detail: `the service answered ${response.status}`, errors: [] };
  }
  return { ok: response.ok, status: response.status, data };
}

async function loadClan(file) {
  const slot = $("error-clan");
  slot.hidden = true;
  $("clan-status").textContent = `Reading ${file.name}…`;
  let answer;
  try {
    answer = await readSave(file);
  } catch (error) {
    slot.textContent = `${file.name} could not be opened: ${error.message}.`;
    slot.hidden = false;
    $("clan-status").textContent = "";
    return;
  }
  if (!answer.ok) {
    slot.textContent = `${file.name} is not a clan the playground can read: ${answer.data.detail}`;
    slot.hidden = false;
    $("clan-status").textContent = "";
    return;
  }
  clan.cats = answer.data.cats;
  clan.format = answer.data.saveFormat;
  clan.unreadable = answer.data.errors.length;
  const ranks = [...new Set(clan.cats.map((cat) => cat.status || "unknown"))].sort();
  $("clan-rank").replaceChildren(option("", "every rank"), ...ranks.map((rank) => option(rank)));
  $("clan-options").hidden = false;
  showClan(0);
}

function clanSelection() {
  const include = $("clan-include").value;
  const rank = $("clan-rank").value;
  return clan.cats.filter((cat) => {
    const dead = Boolean(cat.params.dead);
    if (include === "living" && dead) return false;
    if (include === "dead" && !dead) return false;
    return !rank || (cat.status || "unknown") === rank;
  });
}

async function showClan(page) {
  const ticket = ++clan.ticket; // only the latest choice is shown
  const chosen = clanSelection();
  const pages = Math.max(1, Math.ceil(chosen.length / CLAN_PAGE_SIZE));
  clan.page = Math.min(Math.max(page, 0), pages - 1);
  const start = clan.page * CLAN_PAGE_SIZE;
  const shown = chosen.slice(start, start + CLAN_PAGE_SIZE);
  const sheet = $("clan-sheet");
  const status = $("clan-status");
  $("clan-pager").hidden = pages < 2;
  $("clan-page").textContent = `Page ${clan.page + 1} of ${pages}`;
  $("clan-prev").disabled = clan.page === 0;
  $("clan-next").disabled = clan.page >= pages - 1;
  if (!shown.length) {
    sheet.replaceChildren();
    $("clan-download").hidden = true;
    status.textContent = "No cat of this clan matches these choices.";
    return;
  }
  status.textContent = "Drawing the clan…";
  // Each cat as its ``request`` draws it: a save is of one format, so all on one pack.
  const answer = await postJSON("/render/batch", {
    payload: { params: {} },
    variants: shown.map((cat, i) => {
      const payload = requestOf(cat).payload;
      const variant = { id: `cat${start + i}`, label: cat.name.slice(0, 128), params: payload.params };
      if (payload.pose !== undefined) variant.pose = payload.pose;
      else variant.spriteNumber = payload.spriteNumber;
      return variant;
    }),
    options: { pack: packOfRequest(requestOf(shown[0])) ?? undefined, background: $("clan-background").value, columns: 10 },
  });
  if (ticket !== clan.ticket) return; // a later choice is being drawn
  if (!answer.ok) {
    $("error-clan").textContent = answer.data.errors?.length ? plainSentence(answer.data.errors[0]) : "The clan could not be drawn.";
    $("error-clan").hidden = false;
    status.textContent = "";
    return;
  }
  const data = answer.data;
  sheet.replaceChildren(...data.frames.map((frame, i) => {
    const cat = shown[i];
    return el("button", {
      type: "button",
      "data-cat": cat.ID,
      "aria-label": `Open ${cat.name} (${cat.status || "no rank"}, ${cat.age}) in the editor`,
      onclick: () => openClanCat(cat),
    },
    tilePicture(data, frame, 100 / Math.max(frame.width, frame.height)),
    el("span", { class: "tile-label", text: cat.name }),
    el("span", { class: "tile-note", text: `${cat.status || "no rank"}${cat.params.dead ? ", dead" : ""}` }));
  }));
  const link = $("clan-download");
  link.href = data.sheet;
  link.download = `clan-${$("clan-include").value}${pages > 1 ? `-page${clan.page + 1}` : ""}.png`;
  link.hidden = false;
  const unreadable = clan.unreadable ? ` ${clan.unreadable} could not be read.` : "";
  const format = clan.format === "v0.13" ? " A ClanGen v0.13 save: its cats open on the clangen pack." : "";
  status.textContent = `${chosen.length} of ${clan.cats.length} cats${pages > 1 ? `, ${start + 1}–${start + shown.length} shown` : ""}. Pick one to open it in the editor.${format}${unreadable}`;
}

// The /render body of a save's cat (a service too old to say it: its pose and params).
function requestOf(cat) {
  return cat.request || { payload: { spriteNumber: cat.spriteNumber, params: cat.params }, options: {} };
}

async function openClanCat(cat) {
  try {
    await openRequest(requestOf(cat));
  } catch (error) {
    $("error-clan").textContent = `${cat.name} could not be opened: ${error.message}.`;
    $("error-clan").hidden = false;
    return;
  }
  changed();
  $("preview-panel").scrollIntoView({ block: "start" });
  $("preview-panel").focus({ preventScroll: true });
}

// The clan box, when the catalog lists the save routes (read with the catalog, so the box is
// ready as soon as the first cat is drawn).
function enableClanDrop() {
  if (!state.catalog.saves?.routes?.["/save/params"]) return; // the service cannot read saves
  const zone = $("clan-drop");
  zone.hidden = false;
  $("clan-file").addEventListener("change", () => $("clan-file").files[0] && loadClan($("clan-file").files[0]));
  for (const id of ["clan-include", "clan-rank", "clan-background"]) $(id).addEventListener("change", () => showClan(0));
  $("clan-prev").addEventListener("click", () => showClan(clan.page - 1));
  $("clan-next").addEventListener("click", () => showClan(clan.page + 1));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files[0]) loadClan(event.dataTransfer.files[0]);
  });
}

// --- pixel-cat-maker links ------------------------------------------------------------------

// Whether pasted text looks like a pixel-cat-maker share link (or its query).
function looksLikePcmLink(text) {
  return /(^|[?&])(peltName|spriteNumber|colour)=/.test(text) || /pixel-?cat-?maker/i.test(text);
}

// Each warning of POST /import/pixel-cat-maker as a sentence for players.
function plainWarning(warning) {
  const [field, ...rest] = warning.split(": ");
  const text = rest.join(": ");
  if (field === "backgroundColour") {
    return "The link's background colour is pixel-cat-maker's page, not the cat: choose a background beside the preview.";
  }
  const unknown = /^'(.*)' is not a pixel-cat-maker field/.exec(text);
  if (field === "url" && unknown) return `The link's “${unknown[1]}” is not one of the cat's traits, so it was left out.`;
  const collar = /^the legacy collar '(.*)' is '(.*)' now/.exec(text);
  if (field === "accessory" && collar) {
    return `The old collar “${collar[1]}” is called “${collar[2]}” in today's ClanGen: the cat wears that.`;
  }
  const sentence = text || warning;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1) + (sentence.endsWith(".") ? "" : ".");
}

// Why a link could not be opened, in one sentence.
function importProblem(data) {
  const item = data.errors?.[0] || { field: data.field, detail: data.detail };
  if (/^url/.test(item.field || "")) {
    if (/holds no pixel-cat-maker fields/.test(item.detail || "")) {
      return "This is not a pixel-cat-maker link: it holds none of a cat's traits (peltName, colour, spriteNumber…).";
    }
    return `This link is not one pixel-cat-maker writes: ${(item.detail || "").replace(/^url: /, "")}.`;
  }
  if (item.field?.startsWith("payload")) return `The link's cat cannot be drawn: ${plainSentence(item)}`;
  return `The link could not be opened: ${data.detail || "the service refused it"}.`;
}

async function importPcmLink() {
  const url = $("pcm-url").value.trim();
  const slot = $("error-import");
  const notes = $("import-notes");
  slot.hidden = true;
  notes.replaceChildren();
  if (!url) {
    slot.textContent = "Paste a pixel-cat-maker share link (or its part after the ?) first.";
    slot.hidden = false;
    $("pcm-url").focus();
    return;
  }
  $("import-status").textContent = "Opening the link…";
  const answer = await postJSON("/import/pixel-cat-maker", {
    url,
    lineart: $("pcm-lineart").value,
    aprilFools: $("pcm-april-fools").checked,
  });
  $("import-status").textContent = "";
  if (!answer.ok) {
    slot.textContent = importProblem(answer.data);
    slot.hidden = false;
    $("pcm-url").setAttribute("aria-invalid", "true");
    return;
  }
  $("pcm-url").removeAttribute("aria-invalid");
  try {
    await openRequest(answer.data.request);
  } catch (error) {
    slot.textContent = `The link's cat could not be opened: ${error.message}.`;
    slot.hidden = false;
    return;
  }
  changed();
  const warnings = answer.data.warnings || [];
  notes.replaceChildren(...warnings.map((w) => el("li", { text: plainWarning(w) })));
  $("import-status").textContent = `Opened the link's cat on the ${state.pack} pack${warnings.length ? `; ${warnings.length === 1 ? "one note" : `${warnings.length} notes`} below` : ""}.`;
}

// The link box opens a cat when a link is pasted in it, on Enter and with its button; a link
// pasted anywhere else on the page (not in a text box) opens too.
function enableImport(packs) {
  if (packs.length && !packs.some((p) => p.name === "clangen")) return; // nothing to draw it with
  $("import").hidden = false;
  $("pcm-lineart").replaceChildren(...PCM_LINEARTS.map(([value, label]) => option(value, label)));
  $("pcm-open").addEventListener("click", importPcmLink);
  $("pcm-url").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      importPcmLink();
    }
  });
  $("pcm-url").addEventListener("paste", () => setTimeout(() => looksLikePcmLink($("pcm-url").value) && importPcmLink(), 0));
  document.addEventListener("paste", (event) => {
    const target = event.target;
    if (target.closest?.("input, textarea, select, [contenteditable]")) return;
    const text = event.clipboardData?.getData("text") || "";
    if (!looksLikePcmLink(text)) return;
    event.preventDefault();
    $("pcm-url").value = text.trim();
    importPcmLink();
  });
}

// --- start -----------------------------------------------------------------------------------

// The packs the service draws with (GET /health); none listed: only its default one.
async function servicePacks() {
  try {
    const health = await (await fetch("/health")).json();
    return Array.isArray(health.packs) ? health.packs : [];
  } catch {
    return [];
  }
}

async function start() {
  const [response, packs] = await Promise.all([fetch("/catalog"), servicePacks()]);
  if (!response.ok) {
    $("catalog-status").textContent = `The catalog could not be loaded (${response.status}).`;
    return;
  }
  state.catalog = await response.json();
  // The service's name for its default pack (a service that lists none: no name to send).
  state.pack = state.defaultPack = packs[0]?.name ?? null;
  state.packNames = packs.map((p) => p.name);
  if (state.pack) state.catalogs.set(state.pack, state.catalog);
  state.backgrounds = state.catalog.backgrounds || { entries: [{ name: "transparent", label: "transparent", kind: "colour" }] };
  if (!state.backgrounds.entries.some((e) => e.name === state.background)) state.background = "transparent";
  $("catalog-status").hidden = true;
  buildTools();
  buildPackSwitch(packs);
  buildTraits();
  enableImport(packs);
  await openSharedCat();
  syncControls();
  renderPreview();
  refreshPoseThumbnails();
  watchPreview();
  enableClanDrop();
}

start();
