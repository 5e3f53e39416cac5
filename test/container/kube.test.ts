// `podman kube play` of a Pod whose policy is a ConfigMap mounted as PROCWARDEN_POLICY_FILE,
// changed while it runs. podman keeps a ConfigMap in a volume named after it: the suite makes
// that volume first, labelled, and changes the ConfigMap by writing into it, as the kubelet
// swaps a mounted ConfigMap's files.

import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/events.ts';
import { logsOnceThey, podmanOk, procwardenStatus, suiteRun } from './engine.ts';
import { buildImage } from './images.ts';

const run = suiteRun();
const pod = `procwarden-test-${run.id}`;
const configMap = `procwarden-test-policy-${run.id}`;
const [labelKey, labelValue] = run.label.split('=') as [string, string];

/** The pause image containers.conf names (global-setup.ts): a shell that sleeps until SIGTERM. */
const PAUSE = [
  `FROM ${run.base}`,
  `RUN printf '#!/bin/sh\\ntrap "exit 0" TERM INT\\nwhile :; do sleep 3600 & wait $!; done\\n' > /pause && chmod 755 /pause`,
  'ENTRYPOINT ["/pause"]',
].join('\n');

const podYaml = (policy: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${configMap}
data:
  policy: |
${policy.split('\n').map((line) => `    ${line}`).join('\n')}
---
apiVersion: v1
kind: Pod
metadata:
  name: ${pod}
  labels:
    ${labelKey}: "${labelValue}"
spec:
  restartPolicy: Never
  containers:
    - name: web
      image: ${run.example}
      env:
        - name: PROCWARDEN_POLICY_FILE
          value: /etc/procwarden/policy
      volumeMounts:
        - name: policy
          mountPath: /etc/procwarden
  volumes:
    - name: policy
      configMap:
        name: ${configMap}
`;

describe('podman kube play', () => {
  beforeAll(() => buildImage(run, PAUSE, {}, `localhost/procwarden-test-pause:${run.id}`));

  it('a Pod whose ConfigMap is PROCWARDEN_POLICY_FILE: its policy applies at start, and a change of the ConfigMap applies live', async () => {
    await podmanOk(run.conf, ['volume', 'create', '--label', run.label, configMap]);
    const file = join(run.work, 'pod.yaml');
    writeFileSync(file, podYaml('# the policy of the web type\nAUTORESTART=OFF\nAUTOREPLACE=ON_FAILURE\n'));
    await podmanOk(run.conf, ['kube', 'play', file]);
    const container = `${pod}-web`;
    // The file over the image's ENV (AUTORESTART=ON_FAILURE).
    expect(await procwardenStatus(run, container)).toMatch(/^policy: autorestart OFF \(file\), autoreplace ON_FAILURE \(file\), recovery ON \(default\)$/m);

    // As the kubelet does: the new content written aside, then swapped in at once.
    const data = await podmanOk(run.conf, ['volume', 'inspect', '--format', '{{.Mountpoint}}', configMap]);
    writeFileSync(join(data, '..policy.new'), 'AUTORESTART=ALWAYS\n');
    renameSync(join(data, '..policy.new'), join(data, 'policy'));
    const { stderr } = await logsOnceThey(run, container, (logs) => eventsNamed(logs.stderr, 'policy.changed').length > 0, 'the policy change');
    expect(eventsNamed(stderr, 'policy.changed')).toMatchObject([{ source: 'file', old: { autorestart: 'OFF' }, new: { autorestart: 'ALWAYS', autoreplace: 'ON_FAILURE' } }]);
    expect(await procwardenStatus(run, container)).toMatch(/^policy: autorestart ALWAYS \(file\), autoreplace ON_FAILURE \(file\), recovery ON \(default\)$/m);
  });
});
