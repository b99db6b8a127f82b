/**
 * Browser page: @jupyterhub/binderhub-client 0.5.0, unchanged, used the way upstream's
 * own launch page (binderhub-react-components' BuilderLauncher) uses it: iterate the
 * events, close the stream on `failed` and on `ready`, then send the user to the server
 * with its token.
 */
import { BinderRepository, type BinderEvent } from '@jupyterhub/binderhub-client/client.js';
import { LaunchSpec } from '@jupyterhub/binderhub-client/spec.js';

export interface LaunchOptions {
  /** The Binder service, e.g. `http://127.0.0.1:8585/`. */
  binderUrl: string;
  /** `<provider>/<spec>`, e.g. `git/<url-encoded repository>/HEAD`. */
  spec: string;
  apiToken?: string;
  buildOnly?: boolean;
}

async function launch(o: LaunchOptions): Promise<BinderEvent[]> {
  const repo = new BinderRepository(o.spec, new URL('build/', o.binderUrl), {
    apiToken: o.apiToken,
    buildOnly: o.buildOnly,
  });
  const events: BinderEvent[] = [];
  for await (const data of repo.fetch()) {
    events.push(data);
    if (data.phase === 'failed' || data.phase === 'ready') repo.close();
  }
  return events;
}

/** Where upstream's page sends the user once the server is ready. */
function serverUrl(url: string, token: string, urlPath = ''): string {
  return new LaunchSpec(urlPath).getJupyterServerRedirectUrl(new URL(url), token).href;
}

declare global {
  interface Window {
    /** What the test calls. */
    binderhubClient: { launch: typeof launch; serverUrl: typeof serverUrl };
  }
}

window.binderhubClient = { launch, serverUrl };
