// @jupyterhub/binderhub-client 0.5.0 ships JavaScript without types: the part the test page uses.
declare module '@jupyterhub/binderhub-client/client.js' {
  export interface BinderEvent {
    phase?: string;
    message?: string;
    url?: string;
    token?: string;
    [key: string]: unknown;
  }
  export class BinderRepository {
    constructor(
      providerSpec: string,
      buildEndpointUrl: URL,
      options?: { apiToken?: string; buildToken?: string; buildOnly?: boolean },
    );
    fetch(): AsyncIterable<BinderEvent>;
    close(): void;
  }
}

declare module '@jupyterhub/binderhub-client/spec.js' {
  export class LaunchSpec {
    constructor(urlPath: string);
    getJupyterServerRedirectUrl(serverUrl: URL, token: string): URL;
  }
}
