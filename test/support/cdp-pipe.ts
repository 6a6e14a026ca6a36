/**
 * A live headless Chromium page driven over the Chrome DevTools Protocol
 * through --remote-debugging-pipe (requests on fd 3, replies on fd 4, each
 * message JSON ended by a NUL byte): no WebSocket and no automation library.
 * Only what the notebook test needs: open a URL, evaluate expressions, take a
 * screenshot, close.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Readable, Writable } from "stream";
import { quietFlags } from "./chromium";
import { pause } from "./wait";

interface Reply {
  id?: number;
  result?: Record<string, unknown>;
  error?: { message: string };
}

export class CdpPage {
  private nextId = 0;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private sessionId?: string;

  private constructor(
    private readonly browser: ChildProcess,
    private readonly profile: string,
  ) {
    let buffered = "";
    const replies = browser.stdio[4] as Readable;
    replies.setEncoding("utf8");
    replies.on("data", (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf("\0"); end >= 0; end = buffered.indexOf("\0")) {
        const reply = JSON.parse(buffered.slice(0, end)) as Reply;
        buffered = buffered.slice(end + 1);
        if (reply.id !== undefined) this.settle(reply.id, reply);
      }
    });
    const gone = (why: string) => () => [...this.pending.keys()].forEach((id) => this.settle(id, { error: { message: why } }));
    browser.on("exit", gone("the browser exited"));
    browser.on("error", (e) => gone(`the browser did not start (${e.message})`)());
    (browser.stdio[3] as Writable).on("error", gone("the browser's pipe is closed"));
  }

  private settle(id: number, reply: Reply): void {
    this.pending.get(id)?.(reply);
    this.pending.delete(id);
  }

  /**
   * Starts `binary` and opens `url` in a new page of `width` x `height`; the
   * `loopback` hosts stay resolvable, no other; the network log goes to `netLog`.
   */
  static async open(binary: string, url: string, options: { loopback: string[]; netLog: string; width: number; height: number }): Promise<CdpPage> {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-cdp-"));
    const flags = ["--remote-debugging-pipe", `--log-net-log=${options.netLog}`, `--window-size=${options.width},${options.height}`];
    const browser = spawn(binary, [...quietFlags(profile, options.loopback), ...flags, "about:blank"], {
      stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"],
    });
    const page = new CdpPage(browser, profile);
    try {
      const { targetId } = await page.send("Target.createTarget", { url });
      page.sessionId = (await page.send("Target.attachToTarget", { targetId, flatten: true })).sessionId as string;
    } catch (e) {
      await page.close();
      throw e;
    }
    return page;
  }

  /** Sends one command (to the page once attached) and resolves with its result; rejects on a protocol error. */
  private send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = ++this.nextId;
    const message = { id, method, params, ...(this.sessionId ? { sessionId: this.sessionId } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => (reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply.result ?? {})));
      (this.browser.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  /** The value of a JavaScript expression in the page (promises awaited); throws what the page threw. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = (await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value;
  }

  /**
   * Polls `expression` every `everyMs` until it is truthy; an evaluation that
   * fails (the page is still navigating) counts as not yet. Throws after
   * `timeoutMs`, naming `what` and the last failure.
   */
  async waitFor(expression: string, what: string, timeoutMs: number, everyMs = 500): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = "";
    for (;;) {
      try {
        if (await this.evaluate<boolean>(expression)) return;
      } catch (e) {
        lastError = ` (last error: ${(e as Error).message})`;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError}`);
      await pause(everyMs);
    }
  }

  /** A PNG of the page as shown. */
  async screenshot(png: string): Promise<void> {
    const { data } = await this.send("Page.captureScreenshot", { format: "png" });
    fs.mkdirSync(path.dirname(png), { recursive: true });
    fs.writeFileSync(png, Buffer.from(data as string, "base64"));
  }

  private alive(): boolean {
    return this.browser.exitCode === null && this.browser.signalCode === null;
  }

  /** Closes the browser (which completes its network log) and removes its profile. */
  async close(): Promise<void> {
    if (this.alive()) {
      const exited = new Promise((r) => this.browser.once("exit", r));
      this.sessionId = undefined;
      await Promise.race([this.send("Browser.close").catch(() => undefined), pause(10_000)]);
      await Promise.race([exited, pause(10_000)]);
      if (this.alive()) this.browser.kill("SIGKILL");
    }
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}
