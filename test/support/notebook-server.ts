/**
 * Jupyter's classic notebook server on loopback, serving a throw-away copy of
 * one of the kit's notebooks: the copy sits in <temp>/notebooks/ next to a
 * link to this checkout's dist/, so its `import ... from "../dist/lib/index"`
 * works and the server's saves never touch the checkout.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { pause } from "./wait";

const ROOT = path.join(__dirname, "..", "..", "..");
export const LOOPBACK = "127.0.0.1";
const START_TIMEOUT_MS = 120_000;

/** Why the classic notebook server cannot run here, or null. */
export function notebookServerMissing(): string | null {
  const run = spawnSync("jupyter", ["notebook", "--version"], { encoding: "utf8", timeout: 60_000 });
  return run.status === 0 ? null : "Jupyter's classic notebook server is not installed (apt-get install jupyter-notebook; .ci/run does)";
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, LOOPBACK, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on("error", () => resolve(false));
  });
}

export class NotebookServer {
  private constructor(
    private readonly server: ChildProcess,
    private readonly work: string,
    private readonly base: string,
    private readonly token: string,
    private readonly log: () => string,
  ) {}

  /** Starts the server on a copy of notebooks/<name>.ipynb; the kernel gets `env` on top of this process's. */
  static async start(name: string, env: Record<string, string>): Promise<NotebookServer> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-notebook-server-"));
    fs.mkdirSync(path.join(work, "notebooks"));
    fs.copyFileSync(path.join(ROOT, "notebooks", `${name}.ipynb`), path.join(work, "notebooks", `${name}.ipynb`));
    fs.symlinkSync(path.join(ROOT, "dist"), path.join(work, "dist"));
    const port = await freePort();
    const token = Math.random().toString(36).slice(2);
    const args = ["notebook", "--no-browser", `--ip=${LOOPBACK}`, `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${work}`, "--allow-root"];
    const server = spawn("jupyter", args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    server.stdout!.on("data", (d) => (log += d));
    server.stderr!.on("data", (d) => (log += d));
    const started = new NotebookServer(server, work, `http://${LOOPBACK}:${port}`, token, () => log);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await answers(`${started.base}/api?token=${token}`))) {
      if (!started.running() || Date.now() > deadline) {
        await started.stop();
        throw new Error(`the notebook server did not start:\n${log}`);
      }
      await pause(500);
    }
    return started;
  }

  /** The page of notebooks/<name>.ipynb, token included. */
  notebookUrl(name: string): string {
    return `${this.base}/notebooks/notebooks/${name}.ipynb?token=${this.token}`;
  }

  /** What the server printed (for failure messages). */
  output(): string {
    return this.log();
  }

  private running(): boolean {
    return this.server.exitCode === null && this.server.signalCode === null;
  }

  /** Stops the server (it shuts its kernels down on SIGTERM) and removes the copy. */
  async stop(): Promise<void> {
    if (this.running()) {
      const exited = new Promise((r) => this.server.once("exit", r));
      this.server.kill("SIGTERM");
      await Promise.race([exited, pause(20_000)]);
      if (this.running()) this.server.kill("SIGKILL");
    }
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}
