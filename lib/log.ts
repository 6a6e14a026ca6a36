/**
 * Where progress lines go. The library never prints directly: experiments take
 * a Logger, the CLI passes console output, a notebook may pass its own.
 */
export type Logger = (line: string) => void;

export const consoleLogger: Logger = (line) => console.log(line);
export const silentLogger: Logger = () => undefined;
