// Package all imports every real-server target (real/redis, real/etcd,
// real/zookeeper, real/postgres, real/http) so that they register. The
// dsbench binary blank-imports it beside algorithms/all.
package all

import (
	_ "github.com/dsbench/dsbench/real/etcd"
	_ "github.com/dsbench/dsbench/real/http"
	_ "github.com/dsbench/dsbench/real/postgres"
	_ "github.com/dsbench/dsbench/real/redis"
	_ "github.com/dsbench/dsbench/real/zookeeper"
)
