/**
 * The registered FHIR servers (FhirServerService.ListFhirServers, admins
 * only): where each is, the schema in use and why, its CapabilityStatement,
 * and whether its circuit breaker is open.
 */
import { useState } from "preact/hooks";
import type { FhirServer } from "@fhir-import/client/web";

import { describe, type Problem } from "../api.js";
import { Loading, ProblemNote, ScrollTable, Time } from "../components.js";
import { toDate } from "../format.js";
import { usePolling, useServices } from "../services.js";

export function Servers() {
  const { api, session } = useServices();
  const [servers, setServers] = useState<FhirServer[] | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();

  usePolling(
    async (signal) => {
      try {
        const answer = await api.fhirServers.listFhirServers({}, { signal });
        setServers(answer.fhirServers);
        setProblem(undefined);
      } catch (err) {
        if (!signal.aborted) setProblem(describe(err, session));
      }
    },
    15_000,
    [],
  );

  if (problem?.kind === "denied") {
    return (
      <>
        <h1>FHIR servers</h1>
        <div class="note note-problem" role="alert">
          <p>
            <strong>Admins only.</strong> This page lists the FHIR servers the service reads metadata from; only
            platform administrators may see it.
          </p>
        </div>
      </>
    );
  }
  return (
    <>
      <h1>FHIR servers</h1>
      <p class="lede">The servers imports read documents and metadata from, as the service sees them now.</p>
      {problem && <ProblemNote problem={problem} />}
      {!servers && !problem && <Loading what="FHIR servers" />}
      {servers && servers.length === 0 && <p class="empty">No FHIR server is registered.</p>}
      {servers && servers.length > 0 && (
        <ScrollTable caption="Registered FHIR servers" captionHidden>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Base URL</th>
              <th scope="col">Schema</th>
              <th scope="col">CapabilityStatement</th>
              <th scope="col">Software</th>
              <th scope="col">Breaker</th>
            </tr>
          </thead>
          <tbody>
            {servers.map((server) => (
              <ServerRow key={server.id} server={server} />
            ))}
          </tbody>
        </ScrollTable>
      )}
    </>
  );
}

function ServerRow({ server }: { server: FhirServer }) {
  // Unset while the breaker is closed (as the replica that answered sees it).
  const openUntil = toDate(server.breakerOpenUntil);
  const open = openUntil !== undefined && openUntil.getTime() > Date.now();
  return (
    <tr data-server-id={server.id}>
      <th scope="row" class="mono">
        {server.id}
      </th>
      <td class="mono url">{server.baseUrl}</td>
      <td>
        {server.schema ? <span class="mono">{server.schema}</span> : <span class="bad">none fits</span>}
        {server.pinnedSchema && <span class="tag">pinned</span>}
        {server.schemaReason && <p class="muted small">{server.schemaReason}</p>}
      </td>
      <td>
        {server.capabilityError ? (
          <span class="bad">{server.capabilityError}</span>
        ) : server.capabilityTime ? (
          <>
            read <Time stamp={server.capabilityTime} />
          </>
        ) : (
          <span class="muted">not read yet</span>
        )}
        {server.capabilityError && server.capabilityTime && (
          <p class="muted small">
            last read <Time stamp={server.capabilityTime} />
          </p>
        )}
      </td>
      <td>
        {server.softwareName || "—"}
        {server.fhirVersion && <p class="muted small">FHIR {server.fhirVersion}</p>}
      </td>
      <td class="breaker">
        {open ? (
          <>
            <span class="badge breaker-open">open</span>
            <p class="small">
              until <Time stamp={server.breakerOpenUntil} />
            </p>
            {server.breakerReason && server.breakerReason !== server.capabilityError && (
              <p class="muted small">{server.breakerReason}</p>
            )}
          </>
        ) : (
          <span class="badge breaker-closed">closed</span>
        )}
      </td>
    </tr>
  );
}
