// Build static/vendor/editor.bundle.js (one minified IIFE) and static/vendor/LICENSES.md from
// src/main.js, and static/vendor/review.bundle.js (the reading page's comments, from
// src/review/main.js; Drafting's own code only, no CodeMirror). Run by `npm run build` (`make
// assets` from the project root). The outputs are committed, so serving and testing the app
// never needs Node.

import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "static", "vendor");
const outfile = join(vendor, "editor.bundle.js");
const reviewOutfile = join(vendor, "review.bundle.js");

// CodeMirror injects its styles through style-mod, which (since 4.1) puts them in a <style>
// element when mounted on a document. The app's Content-Security-Policy (style-src 'self')
// blocks inline <style>, but not constructed style sheets (document.adoptedStyleSheets), which
// style-mod already uses for shadow roots. Use them for the document too. The build fails if
// the code to patch is not found, so an upgrade of style-mod cannot silently undo this.
const STYLE_MOD_CHECK = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";
const STYLE_MOD_PATCHED = "if (root.adoptedStyleSheets && win.CSSStyleSheet) {";
const adoptedStyleSheets = {
  name: "style-mod-adopted-style-sheets",
  setup(build) {
    build.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes(STYLE_MOD_CHECK)) {
        throw new Error(`style-mod changed: cannot find "${STYLE_MOD_CHECK}" in ${args.path}`);
      }
      return { contents: source.replace(STYLE_MOD_CHECK, STYLE_MOD_PATCHED), loader: "js" };
    });
  },
};

/** One minified IIFE from `entry`, not written yet: {bundle (bytes), inputs (metafile)}. */
async function bundleOf(entry, banner, plugins = []) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2020",
    legalComments: "none", // the licences are listed in LICENSES.md, linked from the banner
    banner: { js: banner },
    metafile: true,
    write: false,
    logLevel: "warning",
    plugins,
  });
  const [output] = Object.values(result.metafile.outputs);
  return { bundle: result.outputFiles[0].contents, inputs: output.inputs };
}

/** The npm packages that contributed code to a bundle: path parts of each input file. */
function packageInputs(inputs) {
  return Object.entries(inputs)
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0) // parsed, but tree-shaken away entirely
    .map(([input]) => input.split(/[\\/]/))
    .filter((parts) => parts.includes("node_modules"));
}

const { bundle, inputs } = await bundleOf(
  join(here, "src", "main.js"),
  "/*! Drafting live editor. Built from frontend/src with esbuild; bundled packages and their licences: static/vendor/LICENSES.md */",
  [adoptedStyleSheets],
);
const review = await bundleOf(
  join(here, "src", "review", "main.js"),
  "/*! Drafting comments and suggestions on the reading page. Built from frontend/src/review with esbuild. */",
);
// LICENSES.md lists the editor's packages only: the review bundle must stay Drafting's own code
// (it would otherwise ship third-party code without its licence).
const reviewPackages = packageInputs(review.inputs);
if (reviewPackages.length) {
  throw new Error(`review.bundle.js would include npm code: ${reviewPackages[0].join("/")}`);
}

mkdirSync(vendor, { recursive: true });
writeFileSync(reviewOutfile, review.bundle);
const text = new TextDecoder().decode(bundle);
if (!text.includes("adoptedStyleSheets")) throw new Error("the style-mod patch is missing");
writeFileSync(outfile, bundle);

// Every npm package that contributed code to the bundle, with its licence text.
const packages = new Map();
for (const parts of packageInputs(inputs)) {
  const at = parts.lastIndexOf("node_modules");
  const name = parts[at + 1].startsWith("@") ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
  const root = join(here, ...parts.slice(0, at + 1), ...name.split("/"));
  if (!packages.has(name)) packages.set(name, root);
}
const sections = [...packages.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, root]) => {
    const meta = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const licenceFile = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "license"]
      .map((file) => join(root, file))
      .find((file) => existsSync(file));
    const licence = licenceFile
      ? readFileSync(licenceFile, "utf8").trim()
      : "(no licence file in the package)";
    return [
      `## ${name} ${meta.version}`,
      "",
      `Licence: ${meta.license || "see below"}${meta.homepage ? ` · ${meta.homepage}` : ""}`,
      "",
      "```text",
      licence,
      "```",
    ].join("\n");
  });
const summary = [...packages.keys()].sort().map((name) => {
  const meta = JSON.parse(readFileSync(join(packages.get(name), "package.json"), "utf8"));
  return `| ${name} | ${meta.version} | ${meta.license} |`;
});
writeFileSync(
  join(vendor, "LICENSES.md"),
  [
    "# Third-party code in editor.bundle.js",
    "",
    "`editor.bundle.js` is built by `make assets` (frontend/build.mjs) from Drafting's own code in",
    "`frontend/src/` and these npm packages, pinned in `frontend/package-lock.json`. This file is",
    "generated by the same build; do not edit it by hand. One package is changed on the way in:",
    "style-mod uses constructed style sheets for the document too (one condition, see build.mjs),",
    "so that CodeMirror's styles pass the Content-Security-Policy `style-src 'self'`.",
    "",
    "| Package | Version | Licence |",
    "| --- | --- | --- |",
    ...summary,
    "",
    ...sections.flatMap((section) => [section, ""]),
  ].join("\n"),
);

/** A written file's path and size, for the log. */
function described(file, bytes) {
  return `${relative(process.cwd(), file).split(sep).join("/")}: ${(bytes.length / 1024).toFixed(1)} KiB`;
}
console.log(`${described(outfile, bundle)}, ${packages.size} packages`);
console.log(`${described(reviewOutfile, review.bundle)}, no packages`);
