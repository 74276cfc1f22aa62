import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClockSettings } from '../../functions/shared/clock';

/**
 * The local stack's virtual clock survives restarts: virtual time never runs backwards, so deadlines
 * reached under an accelerated clock stay reached. `npm run reset` deletes the file with the data.
 */
const fileOf = (dataDir: string) => path.join(dataDir, 'clock.json');

export function resumeClock(dataDir: string | undefined, speed: number, realNow = Date.now()): ClockSettings {
  let savedVirtualMs = 0;
  if (dataDir) {
    try {
      savedVirtualMs = Number(JSON.parse(readFileSync(fileOf(dataDir), 'utf8')).virtualNowMs) || 0;
    } catch {
      savedVirtualMs = 0;
    }
  }
  return { speed, originRealMs: realNow, originVirtualMs: Math.max(realNow, savedVirtualMs) };
}

export function saveClock(dataDir: string, virtualNowMs: number): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(fileOf(dataDir), JSON.stringify({ virtualNowMs: Math.round(virtualNowMs) }));
}

export function clockEnv(settings: ClockSettings): Record<string, string> {
  return {
    CLOCK_SPEED: String(settings.speed),
    CLOCK_ORIGIN_REAL_MS: String(settings.originRealMs),
    CLOCK_ORIGIN_VIRTUAL_MS: String(Math.round(settings.originVirtualMs)),
  };
}
