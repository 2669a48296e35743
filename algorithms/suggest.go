package algorithms

import "strings"

// Suggest returns the candidate closest to a mistyped name, or "" when none
// is close enough to be what was meant: the smallest edit distance
// (Levenshtein, with a swap of two adjacent letters counting one), at most
// a third of the name's length and at most 3. A candidate the name is a
// prefix or suffix of (or the other way round: "ring" for "hashing/ring")
// also counts. Error messages add it as "did you mean …?".
func Suggest(name string, candidates []string) string {
	best, bestD := "", 0
	limit := min(3, max(1, len(name)/3))
	for _, c := range candidates {
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if d > limit && !partOf(name, c) {
			continue
		}
		if partOf(name, c) {
			d = min(d, limit)
		}
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// partOf reports whether name is the part of a family/name after or before
// the slash ("ring" for "hashing/ring").
func partOf(name, c string) bool {
	if name == "" {
		return false
	}
	fam, n, ok := strings.Cut(c, "/")
	return ok && (strings.EqualFold(name, n) || strings.EqualFold(name, fam))
}

// didYouMean is ` (did you mean "x"?)` or "".
func didYouMean(name string, candidates []string) string {
	if s := Suggest(name, candidates); s != "" {
		return ` (did you mean "` + s + `"?)`
	}
	return ""
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and transpositions of adjacent runes cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
