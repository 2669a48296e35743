package hashing

// Locator maps a key to the index of its owner in the node list it was
// built from.
type Locator interface {
	Locate(key uint64) int
	MemoryBytes() int
}

// Builder builds a Locator over a node list; the membership figures build
// one per membership (see Moved).
type Builder func(nodes []Node) (Locator, error)

var (
	_ Locator = (*Ring)(nil)
	_ Locator = (*Jump)(nil)
	_ Locator = (*Rendezvous)(nil)
	_ Locator = (*Maglev)(nil)
	_ Locator = (*Bounded)(nil)
	_ Locator = (*MultiProbe)(nil)
	_ Locator = (*Mod)(nil)
)
