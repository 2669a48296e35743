package driver

import (
	"fmt"
	"net"
	"time"
)

// ReachTimeout bounds the reachability check.
const ReachTimeout = 3 * time.Second

// Unreachable is the error of a server that cannot be reached: it names the
// server and the address and says how to start one.
func Unreachable(server, script, addr string, err error) error {
	hint := ""
	if script != "" {
		hint = fmt.Sprintf(" (start one on loopback with scripts/servers/%s.sh start, or point -p %s= at yours)", script, addressParam[script])
	}
	return fmt.Errorf("cannot reach %s at %s: %v%s", server, addr, err, hint)
}

// addressParam names, by server script, the parameter that says where the
// server is.
var addressParam = map[string]string{"redis": "addr", "zookeeper": "addr", "etcd": "endpoints", "postgres": "dsn"}

// Dial checks that something accepts TCP connections at addr.
func Dial(addr string) error {
	c, err := net.DialTimeout("tcp", addr, ReachTimeout)
	if err != nil {
		return err
	}
	return c.Close()
}
