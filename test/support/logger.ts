// A logger that remembers what it was told, for tests that check a warning was given.
export type LoggedLine = { level: 'info' | 'warn' | 'error'; fields: unknown; message: string | undefined };

export type RecordingLogger = {
  lines: LoggedLine[];
  info(fields: unknown, message?: string): void;
  warn(fields: unknown, message?: string): void;
  error(fields: unknown, message?: string): void;
};

export function recordingLogger(): RecordingLogger {
  const lines: LoggedLine[] = [];
  const at = (level: LoggedLine['level']) => (fields: unknown, message?: string) => void lines.push({ level, fields, message });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
