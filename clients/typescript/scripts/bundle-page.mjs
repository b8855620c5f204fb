// Bundles page/ (the demo page the browser test drives) into dist/www/: app.js with the client and its runtime.
import { copyFileSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

mkdirSync("dist/www", { recursive: true });
await build({
  entryPoints: ["page/app.ts"],
  bundle: true,
  format: "esm",
  target: "es2022",
  sourcemap: true,
  outfile: "dist/www/app.js",
  logLevel: "warning",
});
copyFileSync("page/index.html", "dist/www/index.html");
