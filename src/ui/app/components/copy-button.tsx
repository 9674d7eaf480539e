import type { JSX } from 'preact';
import { useState } from 'preact/hooks';

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton({ text }: { text: string }): JSX.Element {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = (): void => {
    navigator.clipboard.writeText(text).then(
      () => {
        setCopied('copied');
      },
      () => {
        // Clipboard access needs a secure context (localhost is one) and the user's permission.
        setCopied('failed');
      },
    );
    setTimeout(() => {
      setCopied('idle');
    }, 1500);
  };
  return (
    <button type="button" class="button small copy" onClick={copy}>
      {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}
