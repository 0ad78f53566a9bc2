"""K = 4 exhaustive lever search of RUS and CHN on a local Ray cluster, checked
identical to the local search (docs/performance.md, "Python and Ray").

    python python/bench/ray_k4_search.py
"""

import time

import accord
import accord.ray as ar
import ray

sco = accord.Model.embedded()
ray.init(num_cpus=2, include_dashboard=False)
for focal in ["RUS", "CHN"]:
    t = time.perf_counter()
    r = ar.opportunities(sco, focal, max_levers=4, samples=2000, seed=1, tasks=4)
    tr = time.perf_counter() - t
    t = time.perf_counter()
    l = sco.opportunities(focal, max_levers=4, samples=2000, seed=1, exhaustive=True)
    tl = time.perf_counter() - t
    best = r.json["combinations"][0] if r.json["combinations"] else r.json["singles"][0]
    print(f"{focal}: {r.json['evaluated']} combinations, Ray (2 CPUs, 4 tasks) {tr:.1f} s, local {tl:.1f} s, identical: {r.json == l.json}, best {' + '.join(best['levers'])} dU {best['delta_utility']:+.4f}")
ray.shutdown()
