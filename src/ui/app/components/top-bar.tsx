import type { JSX } from 'preact';
import type { StoreInfo } from '../../api.js';
import { useApi } from '../use-api.js';
import { Link } from './link.js';

const TABS = [
  { id: 'projects', label: 'Projects', href: '/projects' },
  { id: 'runs', label: 'Runs', href: '/runs' },
  { id: 'sweeps', label: 'Sweeps', href: '/sweeps' },
] as const;

/** The bar on every page: the product, the tabs, and which store is being looked at. */
export function TopBar({ activeTab }: { activeTab: string | null }): JSX.Element {
  const store = useApi<StoreInfo>('/api/store');
  return (
    <header class="top-bar">
      <Link href="/projects" class="brand">
        ml-tracking
      </Link>
      <nav class="tabs" aria-label="Sections">
        {TABS.map((tab) => (
          <Link
            key={tab.id}
            href={tab.href}
            class="tab"
            data-testid={`tab-${tab.id}`}
            aria-current={activeTab === tab.id ? 'page' : undefined}
          >
            {tab.label}
          </Link>
        ))}
      </nav>
      <span
        class="store"
        title={
          store.data ? `${store.data.kind} store, ml-tracking ${store.data.version}` : undefined
        }
      >
        {store.data?.url ?? ''}
      </span>
    </header>
  );
}
