package org.fhirimport.client;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.stream.Stream;
import org.fhirimport.v1.CreateProjectRequest;
import org.fhirimport.v1.GetProjectRequest;
import org.fhirimport.v1.ListProjectsRequest;
import org.fhirimport.v1.ListProjectsResponse;
import org.fhirimport.v1.Project;
import org.fhirimport.v1.ProjectServiceGrpc.ProjectServiceBlockingStub;

/** {@code ProjectService}: projects, named by id or {@code owner/name} slug. */
public final class ProjectsApi extends ServiceApi<ProjectServiceBlockingStub, ProjectsApi> {
  ProjectsApi(ProjectServiceBlockingStub stub, ManagedChannel channel, RetryPolicy retry, Duration timeout) {
    super(stub, channel, retry, timeout);
  }

  @Override
  ProjectsApi copy(Duration timeout) {
    return new ProjectsApi(stub, channel, retry, timeout);
  }

  /** Creates a project owned by the caller ({@link AlreadyExistsException} when the name is taken). */
  public Project createProject(CreateProjectRequest request) {
    return call("CreateProject", s -> s.createProject(request));
  }

  /** Creates a project named {@code name} with a description (may be empty). */
  public Project createProject(String name, String description) {
    return createProject(
        CreateProjectRequest.newBuilder().setName(name).setDescription(description).build());
  }

  /** Returns one project ({@link NotFoundException} when the caller cannot see it). */
  public Project getProject(GetProjectRequest request) {
    return call("GetProject", s -> s.getProject(request));
  }

  /** Returns one project by id or {@code owner/name} slug. */
  public Project getProject(String project) {
    return getProject(GetProjectRequest.newBuilder().setProject(project).build());
  }

  /** One page of the projects the caller can see. */
  public ListProjectsResponse listProjects(ListProjectsRequest request) {
    return call("ListProjects", s -> s.listProjects(request));
  }

  /** Every project the caller can see, ordered by slug, page after page. */
  public Stream<Project> listAllProjects() {
    return Pages.stream(
        token -> listProjects(ListProjectsRequest.newBuilder().setPageToken(token).build()),
        ListProjectsResponse::getProjectsList,
        ListProjectsResponse::getNextPageToken);
  }
}
