// Writes chart/files/repo2docker_config.py from runners/content-provider-config.ts (the one
// source of repo2docker's configuration): `npx tsx scripts/write-repo2docker-config.ts`.
import { writeFileSync } from 'node:fs';
import { REPO2DOCKER_CONFIG } from '../runners/content-provider-config.js';

writeFileSync(new URL('../chart/files/repo2docker_config.py', import.meta.url), REPO2DOCKER_CONFIG);
