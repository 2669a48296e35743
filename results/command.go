package results

import "strings"

// CommandLine joins argv into one line a POSIX shell reads back as the same
// words: a word made only of characters no shell treats specially is kept as
// it is, any other is single-quoted (a ' inside becomes '\”), and an empty
// word is ”. Environment.Command holds it, so the command that produced a
// result can be pasted back to reproduce it.
func CommandLine(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = shellQuote(a)
	}
	return strings.Join(words, " ")
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_@%+=:,./-", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
