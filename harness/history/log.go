package history

import (
	"math"
	"time"
)

// Kind is the kind of a register operation.
type Kind uint8

// The operation kinds.
const (
	Read  Kind = iota // returns the value
	Write             // sets the value
)

func (k Kind) String() string {
	if k == Write {
		return "write"
	}
	return "read"
}

// Op is one operation of the history.
type Op struct {
	Client uint32
	Key    uint64
	Kind   Kind
	Value  int64 // written (Write) or read (Read); 0 = the key's initial, absent value
	Call   time.Duration
	Return time.Duration // Pending: never returned
	state  uint8
}

// Pending is the Return of an operation whose outcome is unknown.
const Pending = time.Duration(math.MaxInt64)

const (
	open uint8 = iota
	returned
	failed
	unknown
)

// Log is a history under construction. It is used by one goroutine (the
// simulator's, or a wall-clock target's own lock).
type Log struct {
	ops []Op
}

// New returns an empty log.
func New() *Log { return &Log{} }

// Invoke records that client called kind on key (with value, for a write)
// at time at, and returns the operation's id.
func (l *Log) Invoke(client uint32, key uint64, kind Kind, value int64, at time.Duration) int {
	l.ops = append(l.ops, Op{Client: client, Key: key, Kind: kind, Value: value, Call: at, Return: Pending})
	return len(l.ops) - 1
}

// Return records that operation id returned at time at; value is what a
// read returned (ignored for a write).
func (l *Log) Return(id int, value int64, at time.Duration) {
	o := &l.ops[id]
	if o.state != open {
		return
	}
	if o.Kind == Read {
		o.Value = value
	}
	o.Return, o.state = at, returned
}

// Fail records that operation id definitely did not take effect.
func (l *Log) Fail(id int) {
	if l.ops[id].state == open {
		l.ops[id].state = failed
	}
}

// Unknown records that the client gave up on operation id without knowing
// whether it took effect (a timeout).
func (l *Log) Unknown(id int) {
	if l.ops[id].state == open {
		l.ops[id].state = unknown
	}
}

// Len is the number of operations invoked.
func (l *Log) Len() int { return len(l.ops) }

// ops returns the operations as the checker sees them: returned ones, and
// writes whose outcome is unknown (or that were still in flight at the end)
// as pending; failed operations and unanswered reads are left out.
func (l *Log) checked() []Op {
	out := make([]Op, 0, len(l.ops))
	for _, o := range l.ops {
		switch {
		case o.state == returned:
			out = append(out, o)
		case o.Kind == Write && (o.state == unknown || o.state == open):
			o.Return = Pending
			out = append(out, o)
		}
	}
	return out
}
