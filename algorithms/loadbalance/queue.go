package loadbalance

import "github.com/dsbench/dsbench/harness"

// fifo is a growable ring buffer of requests: after warm-up, pushing and
// popping allocate nothing.
type fifo struct {
	buf        []*harness.Request
	head, size int
}

func (q *fifo) push(r *harness.Request) {
	if q.size == len(q.buf) {
		nb := make([]*harness.Request, max(8, 2*len(q.buf)))
		for i := 0; i < q.size; i++ {
			nb[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.size)%len(q.buf)] = r
	q.size++
}

func (q *fifo) pop() *harness.Request {
	r := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	return r
}
