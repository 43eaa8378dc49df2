// Numbers and text for the soak report (see scripts/soak.mjs).

/** The p-th percentile of an ascending array (NaN when empty). */
export function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Least-squares growth of y over the points with t >= from: slope, and slope x the window's span. */
export function trend(points, y, from) {
  const w = points.filter((p) => p.t >= from);
  const n = w.length;
  if (n < 2) return { points: n, slopePerS: NaN, growth: NaN, mean: NaN };
  const mt = w.reduce((a, p) => a + p.t, 0) / n;
  const my = w.reduce((a, p) => a + y(p), 0) / n;
  let num = 0;
  let den = 0;
  for (const p of w) {
    num += (p.t - mt) * (y(p) - my);
    den += (p.t - mt) ** 2;
  }
  const slope = den === 0 ? 0 : num / den;
  return { points: n, slopePerS: slope, growth: slope * (w[n - 1].t - w[0].t), mean: my };
}

/** The report as text: totals, latencies, memory and sockets, counts by kind, samples over time. */
export function formatReport(r, slowClients) {
  const out = [];
  out.push(`soak: ${r.served} responses in ${r.durationS} s (${r.requestsPerSecond.toFixed(0)}/s), ${r.concurrency} users + ${slowClients} slow clients`);
  out.push(`  by status: ${Object.entries(r.byStatus).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  out.push(`  latency: p50 ${r.latencyMs.p50?.toFixed(2)} ms, p99 ${r.latencyMs.p99?.toFixed(2)} ms, max ${r.latencyMs.max?.toFixed(1)} ms (without password checks)`);
  out.push(`  malformed requests (raw socket, until closed): p50 ${r.malformedMs.p50?.toFixed(1)} ms, max ${r.malformedMs.max?.toFixed(1)} ms`);
  out.push(`  password checks (POST /login): ${r.passwordCheckMs.count}, p50 ${r.passwordCheckMs.p50?.toFixed(0)} ms, p99 ${r.passwordCheckMs.p99?.toFixed(0)} ms`);
  out.push(`  RSS: idle ${r.rss.idleMb.toFixed(1)} MB, peak ${r.rss.peakMb.toFixed(1)} MB; after the ${r.warmupS.toFixed(0)} s warm-up ${r.rss.slopeKbPerS.toFixed(1)} KB/s, fitted growth ${r.rss.growthMb.toFixed(2)} MB (limit ${r.rss.limitMb.toFixed(1)} MB)`);
  out.push(`  live heap after full GCs (MB): ${r.liveHeap.fullGcs.map((x) => x.toFixed(1)).join(' ')}; after warm-up fitted growth ${r.liveHeap.growthMb.toFixed(2)} MB over ${r.liveHeap.windowGcs} GCs (limit ${r.liveHeap.limitMb.toFixed(1)} MB${r.liveHeap.windowGcs < 3 ? ', not judged: fewer than 3' : ''}); ${Number.isFinite(r.liveHeap.bytesPerRequest) ? r.liveHeap.bytesPerRequest.toFixed(0) : '-'} bytes per response over ${r.liveHeap.windowServed} responses${r.liveHeap.bytesPerRequestLimit > 0 ? ` (limit ${r.liveHeap.bytesPerRequestLimit})` : ''}`);
  out.push(`  sockets: idle ${r.sockets.idle}, peak ${r.sockets.peak}, after the load ${r.sockets.end}`);
  out.push('  by kind:');
  for (const [k, v] of Object.entries(r.byKind).sort()) out.push(`    ${k.padEnd(32)} ${v}`);
  out.push('  over time (t s, RSS MB, fds, sockets):');
  const step = Math.max(1, Math.ceil(r.samples.length / 12));
  for (let i = 0; i < r.samples.length; i += step) {
    const s = r.samples[i];
    out.push(`    ${s.t.toFixed(0).padStart(5)}  ${(s.rssKb / 1024).toFixed(1).padStart(7)}  ${String(s.fds).padStart(4)}  ${String(s.sockets).padStart(4)}`);
  }
  out.push(r.failures.length === 0 ? 'soak: PASS' : `soak: FAIL\n  - ${r.failures.join('\n  - ')}`);
  return out.join('\n');
}
