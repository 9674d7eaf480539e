import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { TopBar } from './components/top-bar.js';
import { Page, NotFound } from './components/page.js';
import { ComparePage } from './pages/compare-page.js';
import { ExperimentPage } from './pages/experiment-page.js';
import { ExperimentsPage } from './pages/experiments-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { RunPage } from './pages/run-page.js';
import { RunsComparePage } from './pages/runs-compare-page.js';
import { RunsPage } from './pages/runs-page.js';
import { SweepPage } from './pages/sweep-page.js';
import { SweepsPage } from './pages/sweeps-page.js';
import { navigate, useRoute } from './router.js';
import { matchRoute, tabOf, type RouteMatch } from './routes.js';

function PageFor({ match }: { match: RouteMatch }): JSX.Element | null {
  switch (match.page) {
    case 'projects':
      return <ProjectsPage />;
    case 'experiments':
      // Keyed so that another project starts from a fresh page (selection, sort).
      return <ExperimentsPage key={match.project} project={match.project} />;
    case 'compare':
      return <ComparePage />;
    case 'experiment':
      return <ExperimentPage key={match.predictionId} predictionId={match.predictionId} />;
    case 'runs':
      return <RunsPage />;
    case 'runs-compare':
      return <RunsComparePage />;
    case 'run':
      return <RunPage key={match.runId} runId={match.runId} />;
    case 'sweeps':
      return <SweepsPage />;
    case 'sweep':
      return <SweepPage key={match.sweepId} sweepId={match.sweepId} />;
    case 'redirect':
      return null;
    case 'not-found':
      return (
        <Page name="not-found" state="ready">
          <NotFound />
        </Page>
      );
  }
}

export function App(): JSX.Element {
  const route = useRoute();
  const match = matchRoute(route.path);
  const redirectTo = match.page === 'redirect' ? match.to : null;
  useEffect(() => {
    if (redirectTo !== null) navigate(redirectTo, { replace: true });
  }, [redirectTo]);
  return (
    <>
      <TopBar activeTab={tabOf(match)} />
      <PageFor match={match} />
    </>
  );
}
