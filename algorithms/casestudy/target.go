package casestudy

import (
	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/harness"
)

// Registration of every case study. Each study's adapter (<study>_target.go)
// declares its parameters, its Check and its constructors; init registers
// them under casestudy/<name>.
func init() {
	algorithms.Register(idsInfo())
	algorithms.Register(timelinesInfo())
	algorithms.Register(discordInfo())
	algorithms.Register(orpheusInfo())
	algorithms.Register(slackInfo())
	algorithms.Register(stripeInfo())
	algorithms.Register(canvaInfo())
	algorithms.Register(netflixInfo())
	algorithms.Register(igStackInfo())
}

var (
	_ harness.Target    = (*idsTarget)(nil)
	_ harness.SimTarget = (*idsTarget)(nil)
	_ harness.Metricser = (*idsTarget)(nil)
	_ harness.Target    = (*timelinesWall)(nil)
	_ harness.SimTarget = (*timelinesSim)(nil)
	_ harness.Metricser = (*timelinesSim)(nil)
	_ harness.SimTarget = (*discordSim)(nil)
	_ harness.Metricser = (*discordSim)(nil)
	_ harness.SimTarget = (*orpheusSim)(nil)
	_ harness.Metricser = (*orpheusSim)(nil)
	_ harness.SimTarget = (*slackSim)(nil)
	_ harness.Metricser = (*slackSim)(nil)
	_ harness.SimTarget = (*stripeSim)(nil)
	_ harness.Metricser = (*stripeSim)(nil)
	_ harness.Target    = (*stripeWall)(nil)
	_ harness.SimTarget = (*canvaSim)(nil)
	_ harness.Target    = (*netflixTarget)(nil)
	_ harness.Forker    = (*netflixTarget)(nil)
	_ harness.Metricser = (*netflixTarget)(nil)
	_ harness.SimSetup  = (*canvaSim)(nil)
	_ harness.Metricser = (*canvaSim)(nil)
	_ harness.Forker    = (*stripeWall)(nil)
	_ harness.Metricser = (*stripeWall)(nil)
	_ harness.SimSetup  = (*igSim)(nil)
	_ harness.Metricser = (*igSim)(nil)
)
