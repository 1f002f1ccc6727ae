// Builds the console: one minified JS bundle (app.js), one CSS file
// (app.css) and index.html into --outdir (default dist/), each JS/CSS file
// also gzipped (.gz) here so the server sends it without compressing.
// Names are stable; the server gives the assets hashed URLs at startup
// (index.html carries {{app.js}} / {{app.css}} placeholders for them).
//   node build.mjs [--outdir DIR]          the console
//   node build.mjs --tests [--outdir DIR]  bundle test/*.test.ts and run them with `node --test`
// Works with Node 18 (Debian 12) and newer.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, constants } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? resolve(args[i + 1]) : fallback;
};

async function buildConsole(outdir) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: { app: join(here, "src/main.tsx") },
    outdir,
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    logLevel: "warning",
    // Nothing may come from elsewhere at run time (no CDN, works offline).
    external: [],
  });
  copyFileSync(join(here, "src/index.html"), join(outdir, "index.html"));
  for (const name of ["app.js", "app.css"]) {
    const data = readFileSync(join(outdir, name));
    writeFileSync(join(outdir, `${name}.gz`), gzipSync(data, { level: constants.Z_BEST_COMPRESSION }));
  }
  const sizes = ["app.js", "app.css", "app.js.gz", "app.css.gz"].map(
    (n) => `${n} ${(readFileSync(join(outdir, n)).length / 1024).toFixed(1)} KiB`,
  );
  console.log(`console built in ${outdir}: ${sizes.join(", ")}`);
}

async function runTests(outdir) {
  const testDir = join(here, "test");
  const entries = readdirSync(testDir).filter((f) => f.endsWith(".test.ts")).map((f) => join(testDir, f));
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: entries,
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node18",
    packages: "external",
    logLevel: "warning",
  });
  const files = readdirSync(outdir).filter((f) => f.endsWith(".test.mjs")).map((f) => join(outdir, f));
  const run = spawnSync(process.execPath, ["--test", ...files], { stdio: "inherit" });
  process.exit(run.status ?? 1);
}

if (flag("--tests")) await runTests(option("--outdir", join(here, "dist-tests")));
else await buildConsole(option("--outdir", join(here, "dist")));
