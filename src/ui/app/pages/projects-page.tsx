import type { JSX } from 'preact';
import type { ProjectItem, ProjectsResponse } from '../../api.js';
import { Link, segment } from '../components/link.js';
import { Loading, Page, RequestFailed, SkippedNotice } from '../components/page.js';
import { formatCount, formatTime } from '../format.js';
import { pageState, useApi } from '../use-api.js';

/**
 * Where a project's name leads: its experiments, or its runs when it has none (a project of
 * runs only; its experiments page would be empty).
 */
function projectHref(project: ProjectItem): string {
  return project.experiments === 0 && project.runs > 0
    ? `/runs?project=${segment(project.project)}`
    : `/projects/${segment(project.project)}`;
}

/** `/projects`: every project with its counts, newest activity first (the server's order). */
export function ProjectsPage(): JSX.Element {
  const request = useApi<ProjectsResponse>('/api/projects');
  const { data, error } = request;
  return (
    <Page name="projects" state={pageState(request)} title="Projects">
      {error === undefined && <SkippedNotice skipped={data?.skipped} />}
      {error !== undefined ? (
        <RequestFailed error={error} />
      ) : data === undefined ? (
        <Loading />
      ) : data.projects.length === 0 ? (
        <p class="muted">
          No projects in this store yet. Log an experiment (<code>ml-tracking demo</code> writes
          two) or start a run.
        </p>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Project</th>
                <th>Kinds</th>
                <th class="num">Experiments</th>
                <th class="num">Runs</th>
                <th class="num">Sweeps</th>
                <th>Last activity</th>
              </tr>
            </thead>
            <tbody>
              {data.projects.map((project) => (
                <tr key={project.project} data-testid="project-row" data-project={project.project}>
                  <td>
                    <Link href={projectHref(project)} class="strong">
                      {project.project}
                    </Link>
                  </td>
                  <td>{project.kinds.join(', ') || '—'}</td>
                  <td class="num">{formatCount(project.experiments)}</td>
                  <td class="num">
                    {project.runs > 0 ? (
                      <Link href={`/runs?project=${segment(project.project)}`}>
                        {formatCount(project.runs)}
                      </Link>
                    ) : (
                      '0'
                    )}
                  </td>
                  <td class="num">{formatCount(project.sweeps)}</td>
                  <td>{formatTime(project.lastActivity)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
