package results

import (
	"bytes"
	"testing"
)

// Read never panics on any input, and refuses trailing data.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"schema":"` + SchemaVersion + `","runs":[]}`))
	f.Add([]byte(`{"schema":"` + SchemaVersion + `","runs":[]}{}`))
	f.Add([]byte(`{"schema":"` + SchemaVersion + `","runs":[{"intervals":[{"start_s":1e300}]}]}`))
	f.Add([]byte(`{"schema":"` + SchemaVersion + `","runs":[{"ops":18446744073709551615}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		_ = Write(&out, Table, doc) // whatever was accepted can be printed
	})
}
