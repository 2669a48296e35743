package casestudy

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Stripe's date-based API versioning (Brandur Leach, "APIs as
// infrastructure: future-proofing Stripe with versioning", Stripe blog,
// 2017): the code only ever renders a resource at the latest version; each
// backwards-incompatible change is a version-change module that knows how to
// turn a response of its version into one of the version before; an account
// pinned to an older version gets the latest response walked back through
// every module between the latest and its version.
//
// The resource here is a charge. Its wire form is an Obj (ordered keys and
// values, nested objects for grouped fields); a Schema says, per version,
// which keys a response has and how each is formatted. The chain is built
// forwards (version 0's schema, then each change applied to it) and the
// modules undo the changes backwards on real responses, so the reference for
// a test is the forward schema rendered natively at a version.

// VKind is a wire value's type.
type VKind uint8

// The value kinds.
const (
	VNull VKind = iota
	VInt
	VStr // S, or B when built at run time (a formatted amount)
	VBool
	VObj
)

// Value is one wire value.
type Value struct {
	Kind VKind
	N    int64
	S    string
	B    []byte
	O    *Obj
}

func (v *Value) str() string {
	if v.B != nil {
		return string(v.B)
	}
	return v.S
}

// Obj is a response object: keys in order with their values. Objects are
// pooled by an ObjPool and reset for reuse, so rendering and transforming a
// response allocates nothing once warm.
type Obj struct {
	Keys []string
	Vals []Value
}

func (o *Obj) reset() { o.Keys, o.Vals = o.Keys[:0], o.Vals[:0] }

func (o *Obj) find(k string) int {
	for i, key := range o.Keys {
		if key == k {
			return i
		}
	}
	return -1
}

// Get returns the value of key k, if any.
func (o *Obj) Get(k string) (*Value, bool) {
	if i := o.find(k); i >= 0 {
		return &o.Vals[i], true
	}
	return nil, false
}

func (o *Obj) put(k string, v Value) {
	o.Keys = append(o.Keys, k)
	o.Vals = append(o.Vals, v)
}

func (o *Obj) del(i int) {
	o.Keys = slices.Delete(o.Keys, i, i+1)
	o.Vals = slices.Delete(o.Vals, i, i+1)
}

// Equal reports whether two objects hold the same keys with equal values,
// in any order.
func (o *Obj) Equal(p *Obj) bool {
	if len(o.Keys) != len(p.Keys) {
		return false
	}
	for i, k := range o.Keys {
		v, ok := p.Get(k)
		if !ok || !o.Vals[i].equal(v) {
			return false
		}
	}
	return true
}

func (v *Value) equal(w *Value) bool {
	if v.Kind != w.Kind {
		return false
	}
	switch v.Kind {
	case VInt, VBool:
		return v.N == w.N
	case VStr:
		return v.str() == w.str()
	case VObj:
		return v.O.Equal(w.O)
	}
	return true
}

// String renders o as JSON-like text (tests and errors only).
func (o *Obj) String() string {
	b := []byte{'{'}
	for i, k := range o.Keys {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, k...)
		b = append(b, ':')
		v := &o.Vals[i]
		switch v.Kind {
		case VInt:
			b = strconv.AppendInt(b, v.N, 10)
		case VBool:
			b = strconv.AppendBool(b, v.N != 0)
		case VStr:
			b = strconv.AppendQuote(b, v.str())
		case VObj:
			b = append(b, v.O.String()...)
		default:
			b = append(b, "null"...)
		}
	}
	return string(append(b, '}'))
}

// ObjPool hands out objects and formatting buffers for one response and
// takes them all back at Reset.
type ObjPool struct {
	objs []*Obj
	used int
	bufs [][]byte
	nbuf int
}

// Get returns an empty object.
func (p *ObjPool) Get() *Obj {
	if p.used == len(p.objs) {
		p.objs = append(p.objs, &Obj{})
	}
	o := p.objs[p.used]
	p.used++
	o.reset()
	return o
}

func (p *ObjPool) buf() []byte {
	if p.nbuf == len(p.bufs) {
		p.bufs = append(p.bufs, make([]byte, 0, 24))
	}
	b := p.bufs[p.nbuf][:0]
	p.nbuf++
	return b
}

func (p *ObjPool) keep(b []byte) { p.bufs[p.nbuf-1] = b } // a buffer that grew

// Reset takes every object and buffer back.
func (p *ObjPool) Reset() { p.used, p.nbuf = 0, 0 }

// Charge attributes: the canonical data a response is rendered from.
const (
	aID = iota
	aAmount
	aRefunded
	aCurrency
	aStatus
	aCaptured
	aCustomer
	aDescription
	aCreated
	aCardBrand
	aCardLast4
	aCardExpMonth
	aCardExpYear
	aBillingName
	aBillingEmail
	aBillingPhone
	aOutcomeRisk
	aOutcomeType
	aExtra // attr_00 … attr_{extra-1} follow
)

// stripeExtra is the number of attributes later versions add (Added changes).
const stripeExtra = 96

var attrNames = func() []string {
	n := []string{"id", "amount", "amount_refunded", "currency", "status", "captured", "customer", "description", "created",
		"brand", "last4", "exp_month", "exp_year", "name", "email", "phone", "risk_level", "type"}
	for i := 0; i < stripeExtra; i++ {
		n = append(n, fmt.Sprintf("attr_%02d", i))
	}
	return n
}()

// Charge is one charge's canonical data, kept compact (a store holds
// many); Attr renders attribute a as a wire value.
type Charge struct {
	ID               uint64
	IDStr            string // "ch_…"
	Amount, Refunded int64  // cents
	Created          int64  // unix seconds
	Currency, Status uint8  // indexes into the value tables
	Brand, Risk      uint8
	Customer         uint16
	Captured         bool
	Description      string
}

// Value tables for the compact charge fields.
var (
	stripeCurrencies = []string{"usd", "eur", "gbp", "jpy", "cad", "aud"}
	stripeStatuses   = []string{"succeeded", "pending", "failed"}
	stripeBrands     = []string{"visa", "mastercard", "amex", "discover"}
	stripeRisks      = []string{"normal", "elevated", "highest"}
	stripeOutcomes   = []string{"authorized", "manual_review", "issuer_declined"}
	stripeCustomers  = func() []string {
		c := make([]string, 1024)
		for i := range c {
			c[i] = fmt.Sprintf("cus_%06d", i)
		}
		return c
	}()
	stripeNames = []string{"Jenny Rosen", "Ada Lovelace", "Grace Hopper", "Alan Turing"}
	stripeMails = []string{"jenny@example.com", "ada@example.com", "grace@example.com", "alan@example.com"}
	stripeLast4 = []string{"4242", "4444", "0005", "1117"}
)

// Attr is attribute a of the charge as a wire value.
func (c *Charge) Attr(a int) Value {
	switch a {
	case aID:
		return Value{Kind: VStr, S: c.IDStr}
	case aAmount:
		return Value{Kind: VInt, N: c.Amount}
	case aRefunded:
		return Value{Kind: VInt, N: c.Refunded}
	case aCurrency:
		return Value{Kind: VStr, S: stripeCurrencies[c.Currency]}
	case aStatus:
		return Value{Kind: VStr, S: stripeStatuses[c.Status]}
	case aCaptured:
		return boolValue(c.Captured)
	case aCustomer:
		return Value{Kind: VStr, S: stripeCustomers[c.Customer]}
	case aDescription:
		return Value{Kind: VStr, S: c.Description}
	case aCreated:
		return Value{Kind: VInt, N: c.Created}
	case aCardBrand:
		return Value{Kind: VStr, S: stripeBrands[c.Brand]}
	case aCardLast4:
		return Value{Kind: VStr, S: stripeLast4[c.Brand]}
	case aCardExpMonth:
		return Value{Kind: VInt, N: int64(1 + c.ID%12)}
	case aCardExpYear:
		return Value{Kind: VInt, N: int64(2027 + c.ID%6)}
	case aBillingName:
		return Value{Kind: VStr, S: stripeNames[c.Customer%4]}
	case aBillingEmail:
		return Value{Kind: VStr, S: stripeMails[c.Customer%4]}
	case aBillingPhone:
		return Value{Kind: VNull}
	case aOutcomeRisk:
		return Value{Kind: VStr, S: stripeRisks[c.Risk]}
	case aOutcomeType:
		return Value{Kind: VStr, S: stripeOutcomes[c.Risk]}
	}
	return Value{Kind: VInt, N: int64(mix64(c.ID^uint64(a)<<48) % 1000000)} // attr_NN
}

// Formats of a schema field.
type fieldFmt uint8

const (
	fRaw      fieldFmt = iota // the attribute's value
	fDecimal                  // an amount in cents as a decimal string "12.34"
	fPaid                     // derived: status == "succeeded"
	fRefunded                 // derived: amount_refunded == amount > 0
	fObj                      // a nested object of Children
)

// Field is one key of a schema.
type Field struct {
	Key      string
	Attr     int // the attribute rendered (fRaw, fDecimal)
	Fmt      fieldFmt
	Children []Field // fObj
}

// Schema is the keys of a charge response at one version, in order.
type Schema []Field

func (s Schema) clone() Schema {
	out := make(Schema, len(s))
	for i, f := range s {
		out[i] = f
		out[i].Children = slices.Clone(f.Children)
	}
	return out
}

func (s Schema) index(key string) int {
	for i, f := range s {
		if f.Key == key {
			return i
		}
	}
	return -1
}

// The kinds of version change.
const (
	ChRename  = iota // a key renamed
	ChAdd            // a key added
	ChRemove         // a derived key removed
	ChNest           // flat prefixed keys grouped into an object
	ChInteger        // an amount from a decimal string to integer cents
	chKinds
)

// ChangeNames names the change kinds (metrics, tests).
var ChangeNames = [chKinds]string{"rename", "add", "remove", "nest", "integer"}

// Change is one version's backwards-incompatible change, as the forward
// schema step it made and the module that undoes it on a response.
type Change struct {
	Version int // the version that introduced it (1 … versions−1)
	Kind    int
	Old     string   // ChRename: the key before; ChNest: the prefix
	Key     string   // ChRename: the key after; ChAdd, ChRemove, ChInteger: the key; ChNest: the object
	Subs    []string // ChNest: the child keys
	Flat    []string // ChNest: the flat keys before, Old+Subs[i]
	Src     []string // ChRemove: the keys (at the version before) the derived value is computed from
	Fmt     fieldFmt // ChRemove: fPaid or fRefunded
}

// Versions is a chain of date-based API versions of the charge resource.
type Versions struct {
	Dates   []string // YYYY-MM-DD of each version, oldest first
	Changes []Change // Changes[v−1] introduced version v
	Schemas []Schema // the schema at each version, built forwards
}

// NewVersions builds n versions (n ≥ 1): version 0 is the original API (flat
// card_* and billing_* keys, decimal-string amounts, derived paid/refunded
// flags, attr_00…attr_07); version v applies change v, whose kind cycles
// rename, add, remove, nest, integer, falling back to a rename when the
// kind has nothing left to change. Dates run from 2011-06-28 every 45 days.
func NewVersions(n int) *Versions {
	if n < 1 {
		n = 1
	}
	s := Schema{
		{Key: "id", Attr: aID}, {Key: "amount", Attr: aAmount, Fmt: fDecimal}, {Key: "amount_refunded", Attr: aRefunded, Fmt: fDecimal},
		{Key: "currency", Attr: aCurrency}, {Key: "status", Attr: aStatus}, {Key: "paid", Fmt: fPaid}, {Key: "refunded", Fmt: fRefunded},
		{Key: "captured", Attr: aCaptured}, {Key: "customer", Attr: aCustomer}, {Key: "description", Attr: aDescription},
		{Key: "created", Attr: aCreated},
		{Key: "card_brand", Attr: aCardBrand}, {Key: "card_last4", Attr: aCardLast4}, {Key: "card_exp_month", Attr: aCardExpMonth},
		{Key: "card_exp_year", Attr: aCardExpYear},
		{Key: "billing_name", Attr: aBillingName}, {Key: "billing_email", Attr: aBillingEmail}, {Key: "billing_phone", Attr: aBillingPhone},
		{Key: "outcome_risk_level", Attr: aOutcomeRisk}, {Key: "outcome_type", Attr: aOutcomeType},
	}
	for i := 0; i < 8; i++ {
		s = append(s, Field{Key: attrNames[aExtra+i], Attr: aExtra + i})
	}
	vs := &Versions{Schemas: []Schema{s}}
	nextExtra := 8
	groups := []struct{ prefix, obj string }{{"card_", "card"}, {"billing_", "billing_details"}, {"outcome_", "outcome"}}
	nested := 0
	renames := 0
	base := time.Date(2011, 6, 28, 0, 0, 0, 0, time.UTC)
	vs.Dates = append(vs.Dates, base.Format("2006-01-02"))
	for v := 1; v < n; v++ {
		vs.Dates = append(vs.Dates, base.AddDate(0, 0, 45*v).Format("2006-01-02"))
		prev := vs.Schemas[v-1]
		next := prev.clone()
		c := Change{Version: v, Kind: (v - 1) % chKinds}
		switch c.Kind {
		case ChAdd:
			if nextExtra == stripeExtra {
				c.Kind = ChRename
				break
			}
			c.Key = attrNames[aExtra+nextExtra]
			next = append(next, Field{Key: c.Key, Attr: aExtra + nextExtra})
			nextExtra++
		case ChRemove:
			i := -1
			for j, f := range next {
				if f.Fmt == fPaid || f.Fmt == fRefunded {
					i = j
					break
				}
			}
			if i < 0 {
				c.Kind = ChRename
				break
			}
			c.Key, c.Fmt = next[i].Key, next[i].Fmt
			c.Src = []string{next[prev.keyOf(aStatus)].Key}
			if c.Fmt == fRefunded {
				c.Src = []string{next[prev.keyOf(aAmount)].Key, next[prev.keyOf(aRefunded)].Key}
			}
			next = slices.Delete(next, i, i+1)
		case ChNest:
			if nested == len(groups) {
				c.Kind = ChRename
				break
			}
			g := groups[nested]
			nested++
			c.Old, c.Key = g.prefix, g.obj
			obj := Field{Key: g.obj, Fmt: fObj}
			at := -1
			for j := 0; j < len(next); {
				if f := next[j]; f.Fmt != fObj && len(f.Key) > len(g.prefix) && f.Key[:len(g.prefix)] == g.prefix {
					f.Key = f.Key[len(g.prefix):]
					obj.Children = append(obj.Children, f)
					c.Subs = append(c.Subs, f.Key)
					c.Flat = append(c.Flat, g.prefix+f.Key)
					if at < 0 {
						at = j
					}
					next = slices.Delete(next, j, j+1)
					continue
				}
				j++
			}
			next = slices.Insert(next, at, obj)
		case ChInteger:
			i := -1
			for j, f := range next {
				if f.Fmt == fDecimal {
					i = j
					break
				}
			}
			if i < 0 {
				c.Kind = ChRename
				break
			}
			c.Key = next[i].Key
			next[i].Fmt = fRaw
		}
		if c.Kind == ChRename {
			// Rename a plain top-level key other than id, status and the
			// amounts (which derived flags are computed from), in turn.
			var cands []int
			for j, f := range next {
				if f.Fmt == fRaw && f.Attr != aID && f.Attr != aStatus && f.Attr != aAmount && f.Attr != aRefunded && !isGrouped(f.Key, groups[nested:]) {
					cands = append(cands, j)
				}
			}
			j := cands[renames%len(cands)]
			renames++
			c.Old = next[j].Key
			c.Key = fmt.Sprintf("%s_v%d", attrNames[next[j].Attr], v)
			next[j].Key = c.Key
		}
		vs.Changes = append(vs.Changes, c)
		vs.Schemas = append(vs.Schemas, next)
	}
	return vs
}

func isGrouped(key string, groups []struct{ prefix, obj string }) bool {
	for _, g := range groups {
		if len(key) > len(g.prefix) && key[:len(g.prefix)] == g.prefix {
			return true
		}
	}
	return false
}

// keyOf is the index of the top-level field rendering attr (−1: none).
func (s Schema) keyOf(attr int) int {
	for i, f := range s {
		if (f.Fmt == fRaw || f.Fmt == fDecimal) && f.Attr == attr {
			return i
		}
	}
	return -1
}

// Latest is the newest version.
func (vs *Versions) Latest() int { return len(vs.Schemas) - 1 }

// Render renders c natively at version v into a pooled object: what code
// written for version v would answer. The service renders only the latest
// version; older ones are the tests' reference.
func (vs *Versions) Render(c *Charge, v int, pool *ObjPool) *Obj {
	return render(vs.Schemas[v], c, pool)
}

func render(s Schema, c *Charge, pool *ObjPool) *Obj {
	o := pool.Get()
	for i := range s {
		f := &s[i]
		switch f.Fmt {
		case fRaw:
			o.put(f.Key, c.Attr(f.Attr))
		case fDecimal:
			o.put(f.Key, Value{Kind: VStr, B: appendDecimal(pool, c.Attr(f.Attr).N)})
		case fPaid:
			o.put(f.Key, boolValue(stripeStatuses[c.Status] == "succeeded"))
		case fRefunded:
			o.put(f.Key, boolValue(c.Amount > 0 && c.Refunded == c.Amount))
		case fObj:
			o.put(f.Key, Value{Kind: VObj, O: render(f.Children, c, pool)})
		}
	}
	return o
}

func boolValue(b bool) Value {
	if b {
		return Value{Kind: VBool, N: 1}
	}
	return Value{Kind: VBool}
}

// appendDecimal formats cents as "d.cc" in a pooled buffer.
func appendDecimal(pool *ObjPool, cents int64) []byte {
	b := pool.buf()
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	b = strconv.AppendInt(b, cents/100, 10)
	b = append(b, '.', byte('0'+cents%100/10), byte('0'+cents%10))
	pool.keep(b)
	return b
}

// parseCents reads a "d.cc" decimal back (transforms of a value another
// module already formatted).
func parseCents(s string) int64 {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] != '.' {
			n = n*10 + int64(s[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// TransformStats counts the work of walking one response back.
type TransformStats struct {
	Modules int // version-change modules applied
	Fields  int // keys renamed, added, removed, moved or reformatted
}

// Transform walks a response of version from back to version to (≤ from),
// applying the module of every change in between, newest first, in place.
func (vs *Versions) Transform(o *Obj, from, to int, pool *ObjPool) (TransformStats, error) {
	var st TransformStats
	for v := from; v > to; v-- {
		c := &vs.Changes[v-1]
		n, err := c.undo(o, pool)
		if err != nil {
			return st, fmt.Errorf("version %s (%s %s): %w", vs.Dates[v], ChangeNames[c.Kind], c.Key, err)
		}
		st.Modules++
		st.Fields += n
	}
	return st, nil
}

// undo is the change's version-change module: it turns a response of
// c.Version into one of c.Version−1 and returns the keys it touched.
func (c *Change) undo(o *Obj, pool *ObjPool) (int, error) {
	switch c.Kind {
	case ChRename:
		i := o.find(c.Key)
		if i < 0 {
			return 0, fmt.Errorf("no key %s", c.Key)
		}
		o.Keys[i] = c.Old
		return 1, nil
	case ChAdd:
		i := o.find(c.Key)
		if i < 0 {
			return 0, fmt.Errorf("no key %s", c.Key)
		}
		o.del(i)
		return 1, nil
	case ChRemove:
		var b bool
		switch c.Fmt {
		case fPaid:
			st, ok := o.Get(c.Src[0])
			if !ok {
				return 0, fmt.Errorf("no key %s", c.Src[0])
			}
			b = st.str() == "succeeded"
		case fRefunded:
			am, ok1 := o.Get(c.Src[0])
			rf, ok2 := o.Get(c.Src[1])
			if !ok1 || !ok2 {
				return 0, fmt.Errorf("no key %s or %s", c.Src[0], c.Src[1])
			}
			a, r := centsOf(am), centsOf(rf)
			b = a > 0 && r == a
		}
		o.put(c.Key, boolValue(b))
		return 1, nil
	case ChNest:
		i := o.find(c.Key)
		if i < 0 || o.Vals[i].Kind != VObj {
			return 0, fmt.Errorf("no object %s", c.Key)
		}
		sub := o.Vals[i].O
		o.del(i)
		for j, k := range sub.Keys {
			s := slices.Index(c.Subs, k)
			if s < 0 {
				return 0, fmt.Errorf("unknown key %s.%s", c.Key, k)
			}
			o.put(c.Flat[s], sub.Vals[j])
		}
		return len(sub.Keys) + 1, nil
	case ChInteger:
		v, ok := o.Get(c.Key)
		if !ok || v.Kind != VInt {
			return 0, fmt.Errorf("no integer %s", c.Key)
		}
		*v = Value{Kind: VStr, B: appendDecimal(pool, v.N)}
		return 1, nil
	}
	return 0, fmt.Errorf("unknown change kind %d", c.Kind)
}

func centsOf(v *Value) int64 {
	if v.Kind == VStr {
		return parseCents(v.str())
	}
	return v.N
}
