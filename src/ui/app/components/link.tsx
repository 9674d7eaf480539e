import type { ComponentChildren, JSX } from 'preact';
import { navigate } from '../router.js';

interface LinkProps {
  href: string;
  class?: string;
  title?: string;
  'data-testid'?: string;
  'aria-current'?: 'page' | undefined;
  children?: ComponentChildren;
}

/**
 * An in-app link: a real `<a href>` (middle click, copy link and a new tab keep working) whose
 * plain click navigates without reloading.
 */
export function Link({ href, children, ...rest }: LinkProps): JSX.Element {
  const onClick = (event: MouseEvent): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a {...rest} href={href} onClick={onClick}>
      {children}
    </a>
  );
}

/** A URL path segment from a store string (a project name may hold any character). */
export const segment = (value: string): string => encodeURIComponent(value);
