// Starts FuncMail locally: Azurite (in memory) and the Functions host (`func start`) on http://localhost:7071.
// Usage (from the repository root): npm ci && npm start
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const settings = join(root, "local.settings.json");

if (!existsSync(settings)) {
  copyFileSync(join(root, "local.settings.sample.json"), settings);
  console.log("Created local.settings.json from local.settings.sample.json.");
}

const values = JSON.parse(readFileSync(settings, "utf8")).Values ?? {};
const missing = ["Entra__ClientId", "Entra__ClientSecret"].filter((key) => !values[key] || values[key].startsWith("<"));
if (missing.length > 0) {
  console.error(`Fill in ${missing.join(" and ")} in local.settings.json from your Entra app registration (README, "App registration"), then run npm start again.`);
  process.exit(1);
}

const localFunc = join(root, "node_modules", ".bin", process.platform === "win32" ? "func.cmd" : "func");
const func = existsSync(localFunc) ? localFunc : "func";
if (spawnSync(func, ["--version"], { stdio: "ignore", shell: process.platform === "win32" }).status !== 0) {
  console.error("Azure Functions Core Tools 4 (func) was not found. Install it: https://learn.microsoft.com/azure/azure-functions/functions-run-local");
  process.exit(1);
}

const azurite = spawn(process.execPath, [
  join(root, "node_modules", "azurite", "dist", "src", "azurite.js"),
  "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
  "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
], { stdio: ["ignore", "inherit", "inherit"] });

const host = spawn(func, ["start", "--script-root", "FuncMail"], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
console.log("FuncMail is starting: open http://localhost:7071/api/Home once the host lists its functions.");

const stop = () => { host.kill(); azurite.kill(); };
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
host.on("exit", (code) => { azurite.kill(); process.exit(code ?? 0); });
azurite.on("exit", (code) => { if (code) { console.error("Azurite stopped unexpectedly."); host.kill(); } });
