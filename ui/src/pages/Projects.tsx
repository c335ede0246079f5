/** The projects the person can see (ProjectService.ListProjects). */
import { Loading, Pager, ProblemNote, Time, usePaged } from "../components.js";
import { href } from "../router.js";
import { useServices } from "../services.js";

export function Projects() {
  const { api } = useServices();
  const paged = usePaged(async (pageToken) => {
    const page = await api.projects.listProjects({ pageSize: 50, pageToken });
    return { items: page.projects, next: page.nextPageToken };
  }, []);

  return (
    <>
      <h1>Projects</h1>
      <p class="lede">Projects you own or are a member of. Open one to follow its imports live.</p>
      {paged.problem && <ProblemNote problem={paged.problem} onRetry={paged.reload} />}
      {paged.loading && paged.items.length === 0 && !paged.problem && <Loading what="projects" />}
      {!paged.loading && !paged.problem && paged.items.length === 0 && (
        <p class="empty">
          No projects yet. Create one with <code>fhir-import projects create NAME</code>.
        </p>
      )}
      <ul class="cards projects" aria-busy={paged.loading}>
        {paged.items.map((project) => (
          <li key={project.id} class="card">
            <h2>
              <a href={href.project(project.slug)}>{project.slug}</a>
            </h2>
            {project.description && <p>{project.description}</p>}
            <p class="meta">
              Owner {project.owner} · created <Time stamp={project.createTime} />
            </p>
          </li>
        ))}
      </ul>
      <Pager label="Projects" paged={paged} />
    </>
  );
}
