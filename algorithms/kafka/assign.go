package kafka

import (
	"fmt"
	"sort"
)

// TopicPartition names one partition of one topic.
type TopicPartition struct {
	Topic     string
	Partition int
}

func (tp TopicPartition) String() string { return fmt.Sprintf("%s-%d", tp.Topic, tp.Partition) }

// Assignor names.
const (
	AssignRange      = "range"
	AssignRoundRobin = "round-robin"
)

// Assign runs the named assignor: every member subscribes to every topic
// (topics maps name → partition count). Members are ordered by id as
// Kafka orders member ids (string order).
func Assign(assignor string, members []string, topics map[string]int) (map[string][]TopicPartition, error) {
	switch assignor {
	case AssignRange:
		return RangeAssign(members, topics), nil
	case AssignRoundRobin:
		return RoundRobinAssign(members, topics), nil
	}
	return nil, fmt.Errorf("kafka: assignor=%q (valid: %s|%s)", assignor, AssignRange, AssignRoundRobin)
}

func sortedKeys(topics map[string]int) []string {
	ts := make([]string, 0, len(topics))
	for t := range topics {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}

func sortedMembers(members []string) []string {
	ms := append([]string(nil), members...)
	sort.Strings(ms)
	return ms
}

// RangeAssign is Kafka's RangeAssignor: per topic, the partitions in
// numeric order are divided into contiguous ranges over the members in
// order; with P partitions and C members each gets P/C and the first P%C
// get one more.
func RangeAssign(members []string, topics map[string]int) map[string][]TopicPartition {
	ms := sortedMembers(members)
	out := make(map[string][]TopicPartition, len(ms))
	for _, m := range ms {
		out[m] = nil
	}
	if len(ms) == 0 {
		return out
	}
	for _, t := range sortedKeys(topics) {
		p := topics[t]
		per, extra := p/len(ms), p%len(ms)
		for i, m := range ms {
			start := per*i + min(i, extra)
			n := per
			if i < extra {
				n++
			}
			for k := start; k < start+n; k++ {
				out[m] = append(out[m], TopicPartition{t, k})
			}
		}
	}
	return out
}

// RoundRobinAssign is Kafka's RoundRobinAssignor: all partitions of all
// topics, in topic then partition order, dealt to the members in order,
// one at a time, cyclically.
func RoundRobinAssign(members []string, topics map[string]int) map[string][]TopicPartition {
	ms := sortedMembers(members)
	out := make(map[string][]TopicPartition, len(ms))
	for _, m := range ms {
		out[m] = nil
	}
	if len(ms) == 0 {
		return out
	}
	i := 0
	for _, t := range sortedKeys(topics) {
		for k := 0; k < topics[t]; k++ {
			m := ms[i%len(ms)]
			out[m] = append(out[m], TopicPartition{t, k})
			i++
		}
	}
	return out
}
