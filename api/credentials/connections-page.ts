import { markup } from '../ui/html/html.js';
import type { ConnectionState } from './connection-states.js';

/** `/auth/connections` for a browser: which accounts are connected, connect/disconnect buttons. */
export function connectionsPage(user: string, baseUrl: string, states: ConnectionState[]): string {
  const rows = states.map((s) => {
    const action = s.connected
      ? markup`<form method="post" action="${baseUrl}auth/connections/${s.provider}/disconnect"><button type="submit">Disconnect</button></form>`
      : markup`<a href="${baseUrl}auth/connect/${s.provider}">Connect your ${s.name} account</a>`;
    const what = s.connected
      ? markup`connected${s.login ? markup` as <strong>${s.login}</strong>` : ''}`
      : 'not connected';
    return markup`<li><strong>${s.name}</strong>: ${what} ${action}</li>`;
  });
  return markup`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connected accounts</title></head>
<body><h1>Connected accounts of ${user}</h1>
<p>Private repositories on these sites build and launch with your own account, for you only.</p>
<ul>${rows}</ul>
<p><a href="${baseUrl}">Back to the launch page</a></p></body></html>`.toString();
}
