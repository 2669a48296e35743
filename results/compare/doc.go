// Package compare decides whether a candidate result is faster or slower
// than a baseline, the way a CI job can trust: each side's repetitions are
// samples; the change is the ratio of medians with a Hodges–Lehmann
// confidence interval (Hodges & Lehmann 1963; Bauer 1972, the distribution-
// free interval built from the Mann–Whitney critical value); significance is
// the two-sided Mann–Whitney U test (Mann & Whitney 1947), exact for small
// samples without ties and the normal approximation with tie correction
// otherwise, as benchstat does. A noise band (criterion.rs) keeps tiny
// significant changes from being called, and gates (--fail-on) fail only when
// a threshold is crossed with significance.
package compare
