import { byId } from './dom.js';

async function copyText(field: HTMLInputElement | HTMLTextAreaElement): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(field.value);
      return true;
    } catch {
      // fall through to the selection-based copy
    }
  }
  field.focus();
  field.select();
  return document.execCommand('copy');
}

/**
 * Wires every `button[data-copy=<field id>]`: copies the field's value and announces the
 * result in `#copy-status` (a polite live region).
 */
export function setupCopyButtons(): void {
  const status = byId('copy-status');
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
    button.addEventListener('click', async () => {
      const field = byId<HTMLInputElement | HTMLTextAreaElement>(button.dataset.copy!);
      const label = document.querySelector(`label[for="${field.id}"]`)?.textContent ?? 'Text';
      const ok = await copyText(field);
      status.textContent = ok
        ? `${label} copied to the clipboard.`
        : `Could not copy; select the ${label.toLowerCase()} and copy it by hand.`;
      button.textContent = ok ? 'Copied' : 'Copy failed';
      setTimeout(() => {
        button.textContent = 'Copy';
      }, 2000);
    });
  }
}

/** Sets a copyable field's value and enables its button when there is something to copy. */
export function setCopyValue(id: string, value: string): void {
  const field = byId<HTMLInputElement | HTMLTextAreaElement>(id);
  field.value = value;
  const button = document.querySelector<HTMLButtonElement>(`button[data-copy="${id}"]`);
  if (button) button.disabled = value === '';
}
