import { FakeLauncher } from '../../api/launch/fake-launcher.js';
import { launcherContract } from './launcher.contract.js';

// The launcher contract against the launcher that starts nothing.
launcherContract('FakeLauncher', async () => {
  const hubUrl = 'http://127.0.0.1:8000/';
  return {
    launcher: new FakeLauncher({ hubUrl, failImages: ['does-not-start'] }),
    hubUrl,
    goodImage: '127.0.0.1:5000/binder-fake:aaaa1111',
    badImage: '127.0.0.1:5000/binder-does-not-start:aaaa1111',
    stop: async () => undefined,
  };
});
