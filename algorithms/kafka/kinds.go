package kafka

import "github.com/dsbench/dsbench/workloads"

const (
	kRead    = uint8(workloads.Read)
	kUpdate  = uint8(workloads.Update)
	kInsert  = uint8(workloads.Insert)
	kScan    = uint8(workloads.Scan)
	kRMW     = uint8(workloads.RMW)
	kDelete  = uint8(workloads.Delete)
	kProduce = uint8(workloads.Produce)
	kConsume = uint8(workloads.Consume)
)
