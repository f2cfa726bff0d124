#!/usr/bin/env python3
"""What the store's writer did between two scrapes of /metrics (bench/soak.sh, one line per window).

    bench/metrics_window.py BEFORE AFTER

Prints the write groups committed in the window, the writes per group, and the 99th percentile (the upper bound of
the histogram bucket it falls in) and maximum bucket of each writer stage: the group's whole transaction, its COMMIT,
the fdatasync before acknowledging, the WAL checkpoints and the writer's own WAL restarts; then, per kind of write
inside the groups (ingest, search_index, …), how many ran, the seconds they took together, and their p99 and maximum
bucket. A tail in the load generator's latency that one of these shares in the same window is that one's.
"""
import re
import sys

SAMPLE = re.compile(r'^([a-z_]+)(?:\{([^}]*)\})? ([0-9.eE+-]+|\+Inf|NaN)$')


def read(path):
    counters, buckets = {}, {}
    with open(path) as f:
        for line in f:
            match = SAMPLE.match(line.strip())
            if not match:
                continue
            name, labels, value = match.group(1), match.group(2) or '', float(match.group(3))
            kind = re.search(r'kind="([^"]+)"', labels)
            if kind:  # Series by kind of write stay apart: name{kind}.
                base, suffix = re.match(r'(.*?)(_bucket|_sum|_count)?$', name).groups()
                name = f'{base}{{{kind.group(1)}}}{suffix or ""}'
            if name.endswith('_bucket'):
                le = re.search(r'le="([^"]+)"', labels).group(1)
                bound = float('inf') if le == '+Inf' else float(le)
                series = buckets.setdefault(name[:-len('_bucket')], {})
                series[bound] = series.get(bound, 0) + value
            else:
                counters[name] = counters.get(name, 0) + value
    return counters, buckets


def window_histogram(before, after, name):
    """Cumulative bucket counts of `name` within the window, by upper bound."""
    now, then = after.get(name, {}), before.get(name, {})
    return sorted((bound, count - then.get(bound, 0)) for bound, count in now.items())


def quantile(histogram, q):
    if not histogram or histogram[-1][1] == 0:
        return None
    total = histogram[-1][1]
    for bound, cumulative in histogram:
        if cumulative >= q * total:
            return bound
    return histogram[-1][0]


def highest(histogram):
    """The upper bound of the highest bucket that gained a sample in the window."""
    previous, top = 0, None
    for bound, cumulative in histogram:
        if cumulative > previous:
            top = bound
        previous = cumulative
    return top


def ms(seconds):
    if seconds is None:
        return '-'
    return 'inf' if seconds == float('inf') else f'{seconds * 1000:g}'


def main():
    before_counters, before_buckets = read(sys.argv[1])
    after_counters, after_buckets = read(sys.argv[2])
    groups = after_counters.get('parley_store_write_groups_total', 0) - before_counters.get(
        'parley_store_write_groups_total', 0)
    jobs = after_counters.get('parley_store_write_jobs_total', 0) - before_counters.get(
        'parley_store_write_jobs_total', 0)
    fields = [f'groups={int(groups)}', f'jobs_per_group={jobs / groups:.1f}' if groups else 'jobs_per_group=-']
    for stage, name in (('group', 'parley_store_write_group_seconds'), ('commit', 'parley_store_commit_seconds'),
                        ('sync', 'parley_store_sync_seconds'), ('checkpoint', 'parley_store_checkpoint_seconds'),
                        ('wal_restart', 'parley_store_wal_restart_seconds')):
        histogram = window_histogram(before_buckets, after_buckets, name)
        count = int(histogram[-1][1]) if histogram else 0
        if stage in ('checkpoint', 'wal_restart'):
            fields.append(f'{stage}s={count}')
        fields.append(f'{stage}_p99_ms={ms(quantile(histogram, 0.99))}')
        fields.append(f'{stage}_max_ms={ms(highest(histogram))}')
    print(' '.join(fields))
    prefix = 'parley_store_write_job_seconds{'
    for name in sorted(n for n in after_buckets if n.startswith(prefix)):
        histogram = window_histogram(before_buckets, after_buckets, name)
        count = int(histogram[-1][1]) if histogram else 0
        if count == 0:
            continue
        seconds = after_counters.get(name + '_sum', 0) - before_counters.get(name + '_sum', 0)
        print(f'  job {name[len(prefix):-1]}: n={count} seconds={seconds:.1f} '
              f'p99_ms={ms(quantile(histogram, 0.99))} max_ms={ms(highest(histogram))}')


if __name__ == '__main__':
    main()
