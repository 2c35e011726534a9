// The import job a CSV upload answered with 202 (bench/import-rate.mjs,
// bench/kit-import-rate.mjs), waited for: {job, seconds} from its
// started_at and finished_at.
export async function finishedJob(client, res) {
    if (res.status !== 202) throw new Error(`${res.status} ${res.text}`);
    let job;
    for (;;) {
        job = (await client.get(`/api/v1/jobs/${res.json.job.id}`)).json;
        if (job.state === 'done' || job.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 500));
    }
    return { job, seconds: (Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000 };
}
