package resource

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Secret maps an environment variable to a secret.
type Secret struct {
	Name   string `json:"name,omitempty"`
	Secret string `json:"secret,omitempty"`
}

// ResourceReference points at another resource (pipelines).
type ResourceReference struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	APIVersion string `json:"api_version"`
}

// HookList attaches hooks to a check result type. Its JSON is Sensu's: a
// mapping of one key, the type, to the hook names ({"critical": ["a"]}).
type HookList struct {
	Hooks []string
	Type  string
}

// MarshalJSON writes {"<type>": [hooks...]}, as core/v2 does.
func (h HookList) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string][]string{h.Type: h.Hooks})
}

// UnmarshalJSON reads {"<type>": [hooks...]}. core/v2 takes one key of a
// mapping with several at random; we refuse it, since which hooks would
// run is then a coin toss.
func (h *HookList) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("check_hooks: each entry maps a type to hook names, as in Sensu Go (- critical: [ps-aux]): %w", err)
	}
	if _, hasType := m["type"]; hasType && len(m) == 2 && m["hooks"] != nil {
		return fmt.Errorf("check_hooks: {type: ..., hooks: [...]} is not Sensu Go's shape: write each entry as <type>: [hooks], e.g. - critical: [ps-aux]")
	}
	if len(m) > 1 {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return fmt.Errorf("check_hooks: an entry maps one type to its hooks, found %d types (%s): write one entry per type", len(m), strings.Join(keys, ", "))
	}
	*h = HookList{}
	for k, v := range m {
		h.Type = k
		if err := json.Unmarshal(v, &h.Hooks); err != nil {
			return fmt.Errorf("check_hooks: %q must map to a list of hook names, as in Sensu Go (- critical: [ps-aux]): %w", k, err)
		}
	}
	return nil
}

// ProxyRequests makes a check run on behalf of proxy entities.
type ProxyRequests struct {
	EntityAttributes []string `json:"entity_attributes"`
	Splay            bool     `json:"splay"`
	SplayCoverage    uint32   `json:"splay_coverage"`
}

// MetricTag is added to every metric a check outputs.
type MetricTag struct {
	Name  string `json:"name,omitempty"`
	Value string `json:"value,omitempty"`
}

// MetricThreshold sets a check's status from the value of one metric.
type MetricThreshold struct {
	Name       string                `json:"name"`
	Tags       []MetricThresholdTag  `json:"tags"`
	Thresholds []MetricThresholdRule `json:"thresholds"`
	NullStatus uint32                `json:"null_status"`
}

// MetricThresholdTag narrows a threshold to metrics with this tag.
type MetricThresholdTag struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MetricThresholdRule is a range and the status outside it.
type MetricThresholdRule struct {
	Min    string `json:"min"`
	Max    string `json:"max"`
	Status uint32 `json:"status"`
}

// CheckSpec is what CheckConfig and an event's Check share. Field names and
// emptiness rules are Sensu Go's.
type CheckSpec struct {
	Command                string              `json:"command,omitempty"`
	Handlers               []string            `json:"handlers"`
	HighFlapThreshold      uint32              `json:"high_flap_threshold"`
	Interval               uint32              `json:"interval"`
	LowFlapThreshold       uint32              `json:"low_flap_threshold"`
	Publish                bool                `json:"publish"`
	RuntimeAssets          []string            `json:"runtime_assets"`
	Subscriptions          []string            `json:"subscriptions"`
	ProxyEntityName        string              `json:"proxy_entity_name"`
	CheckHooks             []HookList          `json:"check_hooks"`
	Stdin                  bool                `json:"stdin"`
	Subdue                 json.RawMessage     `json:"subdue"`
	Cron                   string              `json:"cron,omitempty"`
	Ttl                    int64               `json:"ttl"`
	Timeout                uint32              `json:"timeout"`
	ProxyRequests          *ProxyRequests      `json:"proxy_requests,omitempty"`
	RoundRobin             bool                `json:"round_robin"`
	OutputMetricFormat     string              `json:"output_metric_format"`
	OutputMetricHandlers   []string            `json:"output_metric_handlers"`
	EnvVars                []string            `json:"env_vars"`
	MaxOutputSize          int64               `json:"max_output_size,omitempty"`
	DiscardOutput          bool                `json:"discard_output,omitempty"`
	Secrets                []Secret            `json:"secrets"`
	OutputMetricTags       []MetricTag         `json:"output_metric_tags,omitempty"`
	Pipelines              []ResourceReference `json:"pipelines"`
	OutputMetricThresholds []MetricThreshold   `json:"output_metric_thresholds,omitempty"`
	Subdues                []json.RawMessage   `json:"subdues,omitempty"`
}

var metricFormats = []string{"nagios_perfdata", "graphite_plaintext", "influxdb_line", "opentsdb_line", "prometheus_text"}

// validate checks the fields; scheduling rules only apply to a CheckConfig.
func (c *CheckSpec) validate(scheduled bool) error {
	if scheduled {
		switch {
		case c.Cron != "" && c.Interval > 0:
			return fieldErr("spec.cron", "cannot be set together with interval: use one")
		case c.Cron == "" && c.Interval == 0:
			return fieldErr("spec.interval", "must be greater than 0 when cron is not set")
		case c.Cron != "":
			if err := validCron(c.Cron); err != nil {
				return fieldErr("spec.cron", "%q: %v", c.Cron, err)
			}
		}
		if c.Ttl > 0 && c.Ttl <= int64(c.Interval) {
			return fieldErr("spec.ttl", "must be 0 or greater than interval (%d)", c.Interval)
		}
	}
	if c.LowFlapThreshold != 0 && c.HighFlapThreshold != 0 && c.LowFlapThreshold >= c.HighFlapThreshold {
		return fieldErr("spec.low_flap_threshold", "must be lower than high_flap_threshold")
	}
	for i, s := range c.Subscriptions {
		if s == "" {
			return fieldErr(fmt.Sprintf("spec.subscriptions[%d]", i), "must not be empty")
		}
	}
	if c.ProxyEntityName != "" {
		if err := checkName("spec.proxy_entity_name", c.ProxyEntityName, nameRE); err != nil {
			return err
		}
	}
	if c.OutputMetricFormat != "" {
		if err := oneOf("spec.output_metric_format", c.OutputMetricFormat, metricFormats...); err != nil {
			return err
		}
	}
	if err := validAssets("spec.runtime_assets", c.RuntimeAssets); err != nil {
		return err
	}
	return validEnvVars("spec.env_vars", c.EnvVars)
}

// CheckConfig is core/v2 CheckConfig.
type CheckConfig struct {
	CheckSpec
	withMeta
}

func (c *CheckConfig) Validate() error {
	if err := validMeta(c.Metadata); err != nil {
		return err
	}
	return c.CheckSpec.validate(true)
}

// CheckHistory is one entry of a check's history.
type CheckHistory struct {
	Status   uint32 `json:"status"`
	Executed int64  `json:"executed"`
}

// Check is the check of an event: its configuration plus the result.
type Check struct {
	CheckSpec
	withMeta
	Duration             float64           `json:"duration,omitempty"`
	Executed             int64             `json:"executed"`
	History              []CheckHistory    `json:"history"`
	Issued               int64             `json:"issued"`
	Output               string            `json:"output"`
	State                string            `json:"state,omitempty"`
	Status               uint32            `json:"status"`
	TotalStateChange     uint32            `json:"total_state_change"`
	LastOK               int64             `json:"last_ok"`
	Occurrences          int64             `json:"occurrences"`
	OccurrencesWatermark int64             `json:"occurrences_watermark"`
	Silenced             []string          `json:"silenced,omitempty"`
	IsSilenced           bool              `json:"is_silenced"`
	Hooks                []json.RawMessage `json:"hooks,omitempty"`
	Scheduler            string            `json:"scheduler"`
	ProcessedBy          string            `json:"processed_by,omitempty"`
}

// HookConfig is core/v2 HookConfig.
type HookConfig struct {
	withMeta
	Command       string   `json:"command,omitempty"`
	Timeout       uint32   `json:"timeout"`
	Stdin         bool     `json:"stdin"`
	RuntimeAssets []string `json:"runtime_assets"`
}

func (h *HookConfig) Validate() error {
	if err := validMeta(h.Metadata); err != nil {
		return err
	}
	if h.Command == "" {
		return fieldErr("spec.command", "must not be empty")
	}
	if h.Timeout == 0 {
		return fieldErr("spec.timeout", "must be greater than 0")
	}
	return nil
}

// AssetBuild is one platform build of an asset.
type AssetBuild struct {
	URL     string            `json:"url"`
	Sha512  string            `json:"sha512"`
	Filters []string          `json:"filters"`
	Headers map[string]string `json:"headers"`
}

// Asset is core/v2 Asset.
type Asset struct {
	URL     string       `json:"url,omitempty"`
	Sha512  string       `json:"sha512,omitempty"`
	Filters []string     `json:"filters"`
	Builds  []AssetBuild `json:"builds"`
	withMeta
	Headers map[string]string `json:"headers"`
}

func (a *Asset) Validate() error {
	if err := checkName("metadata.name", a.Metadata.Name, assetNameRE); err != nil {
		return err
	}
	if err := needNamespace(a.Metadata); err != nil {
		return err
	}
	if len(a.Builds) > 0 {
		for i, b := range a.Builds {
			if err := validAssetSource(fmt.Sprintf("spec.builds[%d].", i), b.URL, b.Sha512); err != nil {
				return err
			}
		}
		return nil
	}
	return validAssetSource("spec.", a.URL, a.Sha512)
}

func validAssetSource(prefix, url, sha string) error {
	if url == "" {
		return fieldErr(prefix+"url", "must not be empty (or give builds)")
	}
	if len(sha) < 128 {
		return fieldErr(prefix+"sha512", "must be a SHA-512 checksum (128 hex characters)")
	}
	return nil
}

// HandlerSocket is where a tcp or udp handler sends events.
type HandlerSocket struct {
	Host string `json:"host"`
	Port uint32 `json:"port"`
}

// Handler is core/v2 Handler.
type Handler struct {
	withMeta
	Type          string         `json:"type,omitempty"`
	Mutator       string         `json:"mutator,omitempty"`
	Command       string         `json:"command,omitempty"`
	Timeout       uint32         `json:"timeout"`
	Socket        *HandlerSocket `json:"socket,omitempty"`
	Handlers      []string       `json:"handlers"`
	Filters       []string       `json:"filters"`
	EnvVars       []string       `json:"env_vars"`
	RuntimeAssets []string       `json:"runtime_assets"`
	Secrets       []Secret       `json:"secrets"`
}

func (h *Handler) Validate() error {
	if err := validMeta(h.Metadata); err != nil {
		return err
	}
	switch h.Type {
	case "pipe":
		if h.Command == "" {
			return fieldErr("spec.command", "a pipe handler needs a command")
		}
	case "tcp", "udp":
		if h.Socket == nil || h.Socket.Host == "" {
			return fieldErr("spec.socket.host", "a %s handler needs a socket host", h.Type)
		}
		if h.Socket.Port == 0 {
			return fieldErr("spec.socket.port", "a %s handler needs a socket port", h.Type)
		}
	case "set":
	case "":
		return fieldErr("spec.type", "must not be empty (pipe, set, tcp or udp)")
	default:
		return fieldErr("spec.type", "%q is not one of pipe, set, tcp, udp", h.Type)
	}
	return nil
}

// EventFilter is core/v2 EventFilter.
type EventFilter struct {
	withMeta
	Action        string          `json:"action,omitempty"`
	Expressions   []string        `json:"expressions"`
	RuntimeAssets []string        `json:"runtime_assets"`
	When          json.RawMessage `json:"when,omitempty"`
}

func (f *EventFilter) Validate() error {
	if err := validMeta(f.Metadata); err != nil {
		return err
	}
	if err := oneOf("spec.action", f.Action, "allow", "deny"); err != nil {
		return err
	}
	if len(f.Expressions) == 0 {
		return fieldErr("spec.expressions", "must have at least one expression")
	}
	return nil
}

// Mutator is core/v2 Mutator.
type Mutator struct {
	withMeta
	Command       string   `json:"command,omitempty"`
	Timeout       uint32   `json:"timeout"`
	EnvVars       []string `json:"env_vars"`
	RuntimeAssets []string `json:"runtime_assets"`
	Secrets       []Secret `json:"secrets"`
	Type          string   `json:"type,omitempty"`
	Eval          string   `json:"eval,omitempty"`
}

func (m *Mutator) Validate() error {
	if err := validMeta(m.Metadata); err != nil {
		return err
	}
	switch {
	case m.Command == "" && m.Eval == "":
		return fieldErr("spec.command", "a mutator needs a command (or, for type javascript, eval)")
	case m.Type == "javascript" && m.Command != "":
		return fieldErr("spec.command", "a javascript mutator uses eval, not command")
	}
	if m.Type != "" {
		return oneOf("spec.type", m.Type, "pipe", "javascript")
	}
	return nil
}

// PipelineWorkflow is one step of a pipeline.
type PipelineWorkflow struct {
	Name    string              `json:"name"`
	Filters []ResourceReference `json:"filters,omitempty"`
	Mutator *ResourceReference  `json:"mutator,omitempty"`
	Handler *ResourceReference  `json:"handler,omitempty"`
}

// Pipeline is core/v2 Pipeline.
type Pipeline struct {
	withMeta
	Workflows []PipelineWorkflow `json:"workflows"`
}

func (p *Pipeline) Validate() error {
	if err := validMeta(p.Metadata); err != nil {
		return err
	}
	for i, w := range p.Workflows {
		field := fmt.Sprintf("spec.workflows[%d]", i)
		if err := checkName(field+".name", w.Name, nameRE); err != nil {
			return err
		}
		if w.Handler == nil || w.Handler.Name == "" {
			return fieldErr(field+".handler", "must name a handler")
		}
	}
	return nil
}

// Silenced is core/v2 Silenced. Its name is derived: subscription:check,
// with * for the side that is not set.
type Silenced struct {
	withMeta
	Expire          int64  `json:"expire"`
	ExpireOnResolve bool   `json:"expire_on_resolve"`
	Creator         string `json:"creator,omitempty"`
	Check           string `json:"check,omitempty"`
	Reason          string `json:"reason,omitempty"`
	Subscription    string `json:"subscription,omitempty"`
	Begin           int64  `json:"begin"`
	ExpireAt        int64  `json:"expire_at"`
}

// SilencedName is the name Sensu derives for a silencing entry.
func SilencedName(subscription, check string) string {
	if subscription == "" {
		subscription = "*"
	}
	if check == "" {
		check = "*"
	}
	return subscription + ":" + check
}

// setMeta derives the name, as Sensu Go's API does on every write: a
// silence is always named subscription:check.
func (s *Silenced) setMeta(outer ObjectMeta) error {
	s.Metadata.merge(outer)
	s.Metadata.Name = SilencedName(s.Subscription, s.Check)
	return nil
}

func (s *Silenced) Validate() error {
	if err := needNamespace(s.Metadata); err != nil {
		return err
	}
	if (s.Check == "" && s.Subscription == "") || (s.Check == "*" && s.Subscription == "*") {
		return fieldErr("spec.check", "a silencing entry needs a check or a subscription")
	}
	if s.Subscription != "" && s.Subscription != "*" {
		if err := checkName("spec.subscription", s.Subscription, subscriptionRE); err != nil {
			return err
		}
	}
	if s.Check != "" && s.Check != "*" {
		if err := checkName("spec.check", s.Check, nameRE); err != nil {
			return err
		}
	}
	if want := SilencedName(s.Subscription, s.Check); s.Metadata.Name != want {
		return fieldErr("metadata.name", "%q must be %q (subscription:check)", s.Metadata.Name, want)
	}
	return nil
}

// setDefaults fills in what core/v2 writes for unset lists: a check's
// handlers, subscriptions and pipelines are [] rather than null.
func (c *CheckSpec) setDefaults() {
	if c.Handlers == nil {
		c.Handlers = []string{}
	}
	if c.Subscriptions == nil {
		c.Subscriptions = []string{}
	}
	if c.Pipelines == nil {
		c.Pipelines = []ResourceReference{}
	}
}

// setDefaults also completes pipeline references, as core/v2's
// CheckConfig.MarshalJSON does: core/v2 and Pipeline when unset.
func (c *CheckConfig) setDefaults() {
	c.CheckSpec.setDefaults()
	for i := range c.Pipelines {
		if c.Pipelines[i].APIVersion == "" {
			c.Pipelines[i].APIVersion = coreV2
		}
		if c.Pipelines[i].Type == "" {
			c.Pipelines[i].Type = "Pipeline"
		}
	}
}
