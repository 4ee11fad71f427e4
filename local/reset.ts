// `npm run reset`: wipes the embedded platform's data directory, unless the platform is running on it.
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readLocalConfig } from './local-config.js';

export async function reset(dataDir: string): Promise<'wiped' | 'absent'> {
  try {
    await stat(dataDir);
  } catch {
    return 'absent';
  }
  const pid = Number(await readFile(join(dataDir, 'platform.pid'), 'utf8').catch(() => ''));
  if (pid > 0 && isAlive(pid)) {
    throw new Error(`The platform (pid ${pid}) is running on ${dataDir}; stop it (Ctrl-C) before resetting`);
  }
  await rm(dataDir, { recursive: true, force: true });
  return 'wiped';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { DPM_DATA_DIR } = readLocalConfig();
  reset(DPM_DATA_DIR).then(
    (r) => console.log(r === 'wiped' ? `Wiped ${DPM_DATA_DIR}` : `Nothing to reset: ${DPM_DATA_DIR} does not exist`),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
