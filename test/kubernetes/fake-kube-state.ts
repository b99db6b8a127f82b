/**
 * State of the stand-in Kubernetes API server: pods, the resourceVersion counter, the
 * watch event history, container logs. Plain JSON objects, as they go on the wire.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = Record<string, any>;

export interface WatchEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Json;
}

export interface LogLine {
  ts: string;
  text: string;
}

export type Listener = (e: WatchEvent) => void;

/** Label selector `a=b,c==d,e!=f` as a predicate over labels. */
export function matchesSelector(selector: string | null, labels: Json | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const neq = term.split('!=');
    if (neq.length === 2) return labels?.[neq[0]!.trim()] !== neq[1]!.trim();
    const [k, v] = term.split(/==?/) as [string, string | undefined];
    if (v === undefined) return labels?.[k.trim()] !== undefined;
    return labels?.[k.trim()] === v.trim();
  });
}

const key = (ns: string, name: string) => `${ns}/${name}`;

export class FakeKubeState {
  private rv = 1000;
  private seq = 0;
  readonly pods = new Map<string, Json>();
  readonly logs = new Map<string, LogLine[]>();
  readonly history: WatchEvent[] = [];
  /** A watch resuming below this resourceVersion gets 410 Gone (history compacted). */
  minResumeRv = 0;
  private listeners = new Set<Listener>();
  private logListeners = new Set<(ns: string, name: string) => void>();

  currentRv(): number {
    return this.rv;
  }

  onEvent(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Called when a pod's log grows or its container ends. */
  onLog(fn: (ns: string, name: string) => void): () => void {
    this.logListeners.add(fn);
    return () => this.logListeners.delete(fn);
  }

  get(ns: string, name: string): Json | undefined {
    return this.pods.get(key(ns, name));
  }

  list(ns: string, selector: string | null): Json[] {
    return [...this.pods.values()].filter(
      (p) => p.metadata.namespace === ns && matchesSelector(selector, p.metadata.labels),
    );
  }

  private record(type: WatchEvent['type'], object: Json): void {
    const ev = { rv: this.rv, type, object: structuredClone(object) };
    this.history.push(ev);
    for (const fn of this.listeners) fn(ev);
  }

  create(ns: string, body: Json, now = new Date()): Json {
    const pod = structuredClone(body);
    pod.apiVersion = 'v1';
    pod.kind = 'Pod';
    pod.metadata = {
      ...pod.metadata,
      namespace: ns,
      uid: `uid-${++this.seq}`,
      resourceVersion: String(++this.rv),
      creationTimestamp:
        pod.metadata?.creationTimestamp ?? now.toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    pod.status = { phase: 'Pending', ...pod.status };
    this.pods.set(key(ns, pod.metadata.name), pod);
    this.logs.set(key(ns, pod.metadata.name), []);
    this.record('ADDED', pod);
    return pod;
  }

  update(ns: string, name: string, change: (pod: Json) => void): Json {
    const pod = this.get(ns, name);
    if (!pod) throw new Error(`no pod ${ns}/${name}`);
    change(pod);
    pod.metadata.resourceVersion = String(++this.rv);
    this.record('MODIFIED', pod);
    this.notifyLog(ns, name);
    return pod;
  }

  delete(ns: string, name: string): Json | undefined {
    const pod = this.get(ns, name);
    if (!pod) return undefined;
    this.pods.delete(key(ns, name));
    pod.metadata.resourceVersion = String(++this.rv);
    this.record('DELETED', pod);
    this.notifyLog(ns, name);
    this.logs.delete(key(ns, name));
    return pod;
  }

  appendLog(ns: string, name: string, lines: string[]): void {
    const buf = this.logs.get(key(ns, name));
    if (!buf) throw new Error(`no pod ${ns}/${name}`);
    for (const text of lines) buf.push({ ts: this.timestamp(), text });
    this.notifyLog(ns, name);
  }

  logLines(ns: string, name: string): LogLine[] {
    return this.logs.get(key(ns, name)) ?? [];
  }

  /** RFC3339Nano, strictly increasing (the counter fills the sub-millisecond digits). */
  private timestamp(): string {
    const iso = new Date().toISOString();
    const nanos = String(++this.seq % 1_000_000).padStart(6, '0');
    return `${iso.slice(0, 23)}${nanos}Z`;
  }

  private notifyLog(ns: string, name: string): void {
    for (const fn of this.logListeners) fn(ns, name);
  }
}
