// Starts FuncMail locally: Azurite (in memory) and the Functions host (`func start`) on http://localhost:7071.
// Usage (from the repository root): npm ci && npm start
// Checks everything first and lists every problem at once, so that one run tells you all there is to fix.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const settingsFile = join(root, "local.settings.json");
const problems = [];

if (!existsSync(settingsFile)) {
  copyFileSync(join(root, "local.settings.sample.json"), settingsFile);
  console.log("Created local.settings.json from local.settings.sample.json.");
}

// The settings: valid JSON, with the app registration filled in.
const text = readFileSync(settingsFile, "utf8");
let values = null;
try {
  values = JSON.parse(text).Values ?? {};
} catch (error) {
  problems.push(`local.settings.json${lineOf(error)} is not valid JSON: ${error.message.replace(/ in JSON at position \d+.*$/, "")}. Fix it, or delete it to start again from the sample.`);
}
if (values) {
  const credential = (values["Entra__ClientCredential"] ?? "ClientSecret").toLowerCase();
  const required = ["Entra__ClientId", ...(credential === "clientsecret" ? ["Entra__ClientSecret"] : [])];
  const missing = required.filter((key) => !values[key] || values[key].startsWith("<"));
  if (missing.length > 0) {
    problems.push(`Fill in ${missing.join(" and ")} in local.settings.json from your Entra app registration (README, "App registration").`);
  }
}

// Azurite, from npm ci.
const azuriteScript = join(root, "node_modules", "azurite", "dist", "src", "azurite.js");
if (!existsSync(azuriteScript)) {
  problems.push("Azurite is not installed: run npm ci first.");
}

// Azure Functions Core Tools: npm ci tries to install it as an optional package; its installer downloads the tools.
const localFunc = join(root, "node_modules", ".bin", process.platform === "win32" ? "func.cmd" : "func");
const func = existsSync(localFunc) ? localFunc : "func";
if (spawnSync(func, ["--version"], { stdio: "ignore", shell: process.platform === "win32" }).status !== 0) {
  problems.push("Azure Functions Core Tools 4 (func) was not found. npm ci tried to install it (the optional package azure-functions-core-tools), "
    + "but its download did not complete, perhaps blocked by a proxy. Install it yourself: https://learn.microsoft.com/azure/azure-functions/functions-run-local");
}

if (problems.length > 0) {
  console.error(`FuncMail cannot start yet:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}

const azurite = spawn(process.execPath, [
  azuriteScript,
  "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
  "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
], { stdio: ["ignore", "inherit", "inherit"] });

const host = spawn(func, ["start", "--script-root", "FuncMail"], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
console.log("FuncMail is starting: open http://localhost:7071/api/Home once the host lists its functions (use localhost, not 127.0.0.1: the cookies belong to the name you sign in on).");

const stop = () => { host.kill(); azurite.kill(); };
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
host.on("exit", (code) => { azurite.kill(); process.exit(code ?? 0); });
azurite.on("exit", (code) => { if (code) { console.error("Azurite stopped unexpectedly."); host.kill(); } });

/** ", line N" for a JSON.parse error: Node 20 reports a character position, later versions the line itself. */
function lineOf(error) {
  const line = /line (\d+)/.exec(error.message);
  if (line) {
    return `, line ${line[1]}`;
  }
  const position = /position (\d+)/.exec(error.message);
  return position ? `, line ${text.slice(0, Number(position[1])).split("\n").length}` : "";
}
