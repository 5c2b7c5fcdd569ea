// The playground: every trait as a control filled from GET /catalog, a live preview from
// POST /render, the layer strip, variant sheets from POST /render/batch, share links,
// downloads and a seeded random cat. No framework and no build step: the browser runs this file.
"use strict";

const SCALES = [1, 2, 3, 4, 6, 8];
const DOWNLOAD_SCALES = [1, 4, 6]; // the scales the game's own export offers
const FORMATS = ["png", "webp", "gif"];
const DEBOUNCE_MS = 150;

// Traits the variant sheet can walk, and how a picked frame changes the cat.
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
const DEFAULTS = {
  peltName: "SingleColour",
  colour: "WHITE",
  eyeColour: "YELLOW",
  skinColour: "PINK",
  tint: "none",
  whitePatchesTint: "none",
};
const FLAGS = [
  ["shading", "Shading"],
  ["dead", "Dead"],
  ["darkForest", "Dark Forest"],
  ["aprilFools", "April Fools lineart"],
  ["reverse", "Mirrored"],
];

const $ = (id) => document.getElementById(id);

const state = {
  catalog: null,
  cat: { spriteNumber: 8 }, // V2 params, defaults left out
  scale: 4,
  background: "transparent",
  code: null,
  request: 0,
  seed: 1,
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

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
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

// --- the cat's params ------------------------------------------------------------------------

function setParam(name, value) {
  const empty =
    value === undefined || value === null || value === "" || value === false ||
    (Array.isArray(value) && value.length === 0) || DEFAULTS[name] === value;
  if (empty) delete state.cat[name];
  else state.cat[name] = value;
}

function renderBody(extraOptions = {}) {
  const params = { ...state.cat };
  const spriteNumber = params.spriteNumber ?? 8;
  delete params.spriteNumber;
  return {
    payload: { spriteNumber, params },
    options: { scale: state.scale, background: state.background, ...extraOptions },
  };
}

// --- controls --------------------------------------------------------------------------------

function fieldId(param) {
  return `trait-${param}`;
}

function errorSlot(param) {
  return el("p", { class: "error", id: `error-${param}`, role: "alert", hidden: true });
}

function selectField(param, label, values, allowNone) {
  const select = el("select", { id: fieldId(param), name: param });
  if (allowNone) select.append(option("", "none"));
  for (const value of values) select.append(option(value));
  select.addEventListener("change", () => {
    setParam(param, select.value);
    changed();
  });
  return el("div", { class: "field" }, el("label", { for: select.id, text: label }), select, errorSlot(param));
}

function listValues(name) {
  const c = state.catalog;
  if (name === "colours") return c.colours.map((entry) => entry.name);
  if (name === "tintNames") {
    const names = [...c.tints, ...c.diluteTints].map((entry) => entry.name);
    return [...new Set(names)].filter((n) => n !== "none");
  }
  if (name === "whitePatchesTints") return c.whitePatchesTints.map((e) => e.name).filter((n) => n !== "none");
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
    const id = `${fieldId(param)}-${entry.name.replace(/[^A-Za-z0-9]/g, "_")}`;
    const box = el("input", { type: "checkbox", id, value: entry.name });
    box.addEventListener("change", () => {
      const chosen = [...(state.cat[param] || [])].filter((n) => n !== entry.name);
      if (box.checked) chosen.push(entry.name);
      setParam(param, chosen);
      syncChips();
      changed();
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
          changed();
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
  function sync() {
    const layers = state.cat.tortie || [];
    rows.replaceChildren(...layers.map((layer, index) => {
      const parts = [["pattern", "Pattern", c.pelts], ["colour", "Colour", c.colours.map((e) => e.name)], ["mask", "Mask", c.tortieMasks]];
      const cells = parts.map(([key, label, values]) => {
        const id = `${fieldId("tortie")}-${index}-${key}`;
        const select = el("select", { id });
        for (const value of values) select.append(option(value));
        select.value = layer[key];
        select.addEventListener("change", () => {
          const next = structuredClone(state.cat.tortie);
          next[index][key] = select.value;
          setParam("tortie", next);
          changed();
        });
        return el("div", { class: "field" }, el("label", { for: id, text: `${label} ${index + 1}` }), select);
      });
      const remove = el("button", {
        type: "button",
        text: "Remove",
        "aria-label": `Remove tortie layer ${index + 1}`,
        onclick: () => {
          setParam("tortie", (state.cat.tortie || []).filter((_, i) => i !== index));
          sync();
          changed();
        },
      });
      return el("div", { class: "tortie-layer" }, ...cells, remove);
    }));
    add.disabled = layers.length >= c.maxListLength;
  }
  add.addEventListener("click", () => {
    const layers = [...(state.cat.tortie || [])];
    layers.push({ pattern: c.pelts[1] || c.pelts[0], colour: "GINGER", mask: c.tortieMasks[0] });
    if (!c.colours.some((e) => e.name === "GINGER")) layers.at(-1).colour = c.colours[0].name;
    setParam("tortie", layers);
    sync();
    changed();
  });
  multiSync.push(sync);
  return el("fieldset", {},
    el("legend", { text: "Tortie patches" }),
    el("p", { class: "hint", text: "Layers are drawn in order over the coat." }),
    rows, add, errorSlot("tortie"));
}

function poseField() {
  const c = state.catalog;
  const group = el("div", { class: "poses", role: "group", "aria-label": "Pose", id: fieldId("spriteNumber") });
  for (const pose of c.poses) {
    group.append(el("button", {
      type: "button",
      "data-pose": pose.number,
      "aria-label": `Pose ${pose.number}: ${pose.description}`,
      title: `${pose.number}: ${pose.description}`,
      "aria-pressed": "false",
      onclick: () => {
        state.cat.spriteNumber = pose.number;
        syncPoses();
        changed();
      },
    }));
  }
  multiSync.push(syncPoses);
  return el("fieldset", {}, el("legend", { text: "Pose" }), group, errorSlot("spriteNumber"));
}

function syncPoses() {
  for (const button of document.querySelectorAll(".poses button")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.pose) === state.cat.spriteNumber));
  }
}

// Pose thumbnails: one batch of every pose of the current cat, cut with CSS.
const refreshPoseThumbnails = debounce(async () => {
  const c = state.catalog;
  const body = renderBody();
  const answer = await postJSON("/render/batch", {
    payload: body.payload,
    variants: c.poses.map((p) => ({ id: String(p.number), spriteNumber: p.number })),
    options: { columns: c.poses.length },
  });
  if (!answer.ok) return;
  for (const button of document.querySelectorAll(".poses button")) {
    const frame = answer.data.frames[Number(button.dataset.pose)];
    button.style.backgroundImage = `url(${answer.data.sheet})`;
    button.style.backgroundPosition = `${-frame.x}px ${-frame.y}px`;
  }
}, 400);

function flagsField() {
  const checks = FLAGS.map(([param, label]) => {
    const box = el("input", { type: "checkbox", id: fieldId(param), name: param });
    box.addEventListener("change", () => {
      setParam(param, box.checked);
      changed();
    });
    return el("div", {}, el("div", { class: "check" }, box, el("label", { for: box.id, text: label })), errorSlot(param));
  });
  const afterlife = el("select", { id: fieldId("afterlife"), name: "afterlife" });
  afterlife.append(option("", "default"));
  for (const entry of state.catalog.afterlives) afterlife.append(option(entry.name));
  afterlife.addEventListener("change", () => {
    setParam("afterlife", afterlife.value);
    changed();
  });
  const opacity = el("input", { type: "range", id: fieldId("opacity"), min: 0, max: 100, step: 1, value: 100 });
  const shown = el("output", { for: opacity.id, id: "opacity-value", text: "100" });
  opacity.addEventListener("input", () => {
    shown.textContent = opacity.value;
    setParam("opacity", Number(opacity.value) === 100 ? null : Number(opacity.value));
    changed();
  });
  return el("fieldset", {},
    el("legend", { text: "Life and afterlife" }),
    ...checks,
    el("div", { class: "field" }, el("label", { for: afterlife.id, text: "Afterlife (dead cats only)" }), afterlife, errorSlot("afterlife")),
    el("div", { class: "field" }, el("label", { for: opacity.id, text: "Opacity (dead cats fade)" }), opacity, shown, errorSlot("opacity")));
}

function buildForm() {
  const c = state.catalog;
  const form = $("traits");
  const random = el("div", { class: "variants-bar" },
    el("label", { for: "seed", text: "Seed" }),
    el("input", { type: "number", id: "seed", min: 0, value: state.seed, inputmode: "numeric" }),
    el("button", { type: "button", id: "random", text: "Random cat", onclick: randomCat }));
  const coat = el("fieldset", {}, el("legend", { text: "Coat and eyes" }));
  for (const [param, label, list, none] of SINGLE_TRAITS) {
    coat.append(selectField(param, label, listValues(list), none));
  }
  form.replaceChildren(
    el("h2", { text: "Traits" }),
    random,
    poseField(),
    coat,
    tortieField(),
    multiField("scars", "Scars", c.scars.map((s) => ({ name: s.name, hint: s.kind === "missingPart" ? "missing part" : "" }))),
    multiField("accessories", "Accessories", c.accessories.map((a) => ({ name: a.name, hint: a.category }))),
    flagsField(),
  );
  $("scale").replaceChildren(...SCALES.map((s) => option(String(s), `${s}×`)));
  const backgrounds = $("background");
  const groups = { transparent: null, colour: "Colours", platform: "Platforms", auto: "The cat's own platform" };
  const optgroups = {};
  for (const entry of c.backgrounds.entries) {
    const label = entry.kind === "platform" || entry.kind === "auto" ? entry.label : entry.label;
    const target = groups[entry.kind] ? (optgroups[entry.kind] ||= el("optgroup", { label: groups[entry.kind] })) : backgrounds;
    target.append(option(entry.name, label));
  }
  optgroups.colour?.append(option("custom", "custom colour…"));
  for (const kind of ["colour", "platform", "auto"]) if (optgroups[kind]) backgrounds.append(optgroups[kind]);
  $("scale").addEventListener("change", () => {
    state.scale = Number($("scale").value);
    changed();
  });
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
  $("variants-show").addEventListener("click", showVariants);
}

// Controls show what ``state`` holds (after a random cat or a shared link).
function syncControls() {
  for (const [param, , , allowNone] of SINGLE_TRAITS) {
    const select = $(fieldId(param));
    select.value = state.cat[param] ?? (allowNone ? "" : DEFAULTS[param]);
  }
  for (const [param] of FLAGS) $(fieldId(param)).checked = Boolean(state.cat[param]);
  $(fieldId("afterlife")).value = state.cat.afterlife ?? "";
  $(fieldId("opacity")).value = state.cat.opacity ?? 100;
  $("opacity-value").textContent = String(state.cat.opacity ?? 100);
  $("scale").value = String(state.scale);
  const known = [...$("background").options].some((o) => o.value === state.background);
  $("background").value = known ? state.background : "custom";
  $("custom-colour-field").hidden = known;
  if (!known) $("custom-colour").value = state.background.slice(0, 7);
  for (const sync of multiSync) sync();
}

// --- preview, layers, errors -----------------------------------------------------------------

function clearErrors() {
  for (const node of document.querySelectorAll("p.error[id^='error-']")) {
    if (node.id === "error-variants" || node.id === "error-clan") continue;
    node.hidden = true;
    node.textContent = "";
  }
  for (const node of document.querySelectorAll("[aria-invalid='true']")) node.removeAttribute("aria-invalid");
}

// ``payload.params.scars[1]`` -> ``scars``; ``options.background`` -> ``background``.
function paramOfField(field) {
  if (!field) return null;
  const path = field.replace(/^payload\.params\./, "").replace(/^payload\./, "").replace(/^options\./, "");
  return path.split(/[.[]/)[0];
}

function showErrors(answer) {
  const items = answer.errors && answer.errors.length ? answer.errors : [{ field: answer.field, detail: answer.detail }];
  for (const item of items) {
    const param = paramOfField(item.field);
    const slot = (param && $(`error-${param}`)) || $("error-general");
    let text = item.detail || answer.detail;
    if (item.expected) text += ` Accepted: ${item.expected}.`;
    if (item.suggestions && item.suggestions.length) text += ` Closest: ${item.suggestions.join(", ")}.`;
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
      el("div", { class: "blend", text: layer.blendMode }),
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

// --- variants --------------------------------------------------------------------------------

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
  syncControls();
  changed();
}

async function showVariants() {
  const layerId = $("variants-layer").value;
  const slot = $("error-variants");
  slot.hidden = true;
  const body = renderBody();
  const options = { layerId, expandVariants: true, columns: 10, background: state.background, scale: 1 };
  let answer = await postJSON("/render/batch", { payload: body.payload, options });
  if (!answer.ok && answer.data.error === "too_many_frames" && layerId === "accessories") {
    // 350 accessories pass the frame limit: ask for the first 256 by name instead.
    const variants = state.catalog.accessories.slice(0, 256).map((a) => ({ id: a.name, group: layerId, params: { accessories: [a.name] } }));
    answer = await postJSON("/render/batch", { payload: body.payload, variants, options: { ...options, expandVariants: false } });
  }
  const sheet = $("variants");
  if (!answer.ok) {
    slot.textContent = answer.data.detail;
    slot.hidden = false;
    sheet.replaceChildren();
    return;
  }
  const data = answer.data;
  const image = el("img", { src: data.sheet, alt: `Every ${layerId} variant`, width: data.width, height: data.height });
  const buttons = data.frames.map((frame) => el("button", {
    type: "button",
    title: frame.label || frame.id,
    "aria-label": `Use ${frame.label || frame.id}`,
    "data-variant": frame.id,
    style: `left:${(100 * frame.x) / data.width}%;top:${(100 * frame.y) / data.height}%;width:${(100 * frame.width) / data.width}%;height:${(100 * frame.height) / data.height}%`,
    onclick: () => applyVariant(layerId, frame.id),
  }));
  sheet.replaceChildren(image, ...buttons);
}

// --- random cat ------------------------------------------------------------------------------

function randomCat() {
  const c = state.catalog;
  const seedInput = $("seed");
  const seed = Number(seedInput.value) || 0;
  const next = generator(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const colours = c.colours.map((e) => e.name);
  const cat = {
    spriteNumber: pick(c.poses.filter((p) => p.number <= 14)).number,
    peltName: pick(c.pelts),
    colour: pick(colours),
    eyeColour: pick(c.eyeColours),
    skinColour: pick(c.skins),
    shading: chance(0.5),
  };
  if (chance(0.2)) cat.eyeColour2 = pick(c.eyeColours2.filter((e) => e !== "none"));
  if (chance(0.3)) cat.tint = pick(listValues("tintNames"));
  if (chance(0.5)) cat.whitePatches = pick(listValues("whitePatches"));
  if (chance(0.15)) cat.points = pick(listValues("points"));
  if (chance(0.1)) cat.vitiligo = pick(listValues("vitiligo"));
  if (chance(0.3)) cat.tortie = [{ pattern: pick(c.pelts), colour: pick(colours), mask: pick(c.tortieMasks) }];
  if (chance(0.3)) cat.scars = [pick(c.scars.filter((s) => s.kind === "scar")).name];
  if (chance(0.4)) cat.accessories = [pick(c.accessories).name];
  state.cat = {};
  for (const [name, value] of Object.entries(cat)) setParam(name, value);
  state.cat.spriteNumber = cat.spriteNumber;
  seedInput.value = String(seed + 1); // the next press draws the next cat; this one stays reproducible
  syncControls();
  changed();
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

async function openSharedCat() {
  const query = new URLSearchParams(location.search);
  if (query.has("scale")) state.scale = Number(query.get("scale")) || state.scale;
  if (query.has("background")) state.background = query.get("background");
  if (!query.has("cat")) return;
  try {
    const params = await decodeCode(query.get("cat"));
    state.cat = { spriteNumber: 8, ...params };
  } catch (error) {
    $("error-general").textContent = `The link's cat could not be read: ${error.message}`;
    $("error-general").hidden = false;
  }
}

// --- a whole clan (shown once the service has save routes) -------------------------------------

async function enableClanDrop() {
  let spec = null;
  try {
    spec = await (await fetch("/openapi.json")).json();
  } catch {
    return;
  }
  if (!spec.paths || !spec.paths["/save/sheet"]) return; // the service cannot read saves
  const zone = $("clan-drop");
  zone.hidden = false;
  const send = async (file) => {
    const slot = $("error-clan");
    slot.hidden = true;
    const response = await fetch("/save/sheet", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: await file.text(),
    });
    const data = await response.json().catch(() => ({ detail: `the service answered ${response.status}` }));
    if (!response.ok) {
      slot.textContent = data.detail;
      slot.hidden = false;
      return;
    }
    $("clan-sheet").replaceChildren(el("img", { src: data.sheet, alt: "Every cat of the clan" }));
  };
  $("clan-file").addEventListener("change", () => $("clan-file").files[0] && send($("clan-file").files[0]));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files[0]) send(event.dataTransfer.files[0]);
  });
}

// --- start -----------------------------------------------------------------------------------

async function start() {
  const response = await fetch("/catalog");
  if (!response.ok) {
    $("catalog-status").textContent = `The catalog could not be loaded (${response.status}).`;
    return;
  }
  state.catalog = await response.json();
  buildForm();
  await openSharedCat();
  syncControls();
  renderPreview();
  refreshPoseThumbnails();
  enableClanDrop();
}

start();
