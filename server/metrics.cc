// SPDX-License-Identifier: Apache-2.0
#include "server/metrics.h"

#include "prometheus/family.h"

namespace sessionkv::server {

namespace {
// The timer aims at the first microsecond after a deadline's millisecond (server/expiry_timer.h), so a
// healthy server lands in the 1-2 ms buckets; Redis's sampling needs seconds to minutes (design.md).
const prometheus::Histogram::BucketBoundaries kExpiryDelayBuckets = {
    0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  expiry_delay_ = &prometheus::BuildHistogram()
                       .Name("sessionkv_expiry_delay_seconds")
                       .Help("Time from a key's deadline to its deletion by the expiry timer")
                       .Register(*registry_)
                       .Add({}, kExpiryDelayBuckets);
}

void Metrics::AddSource(Source source) {
  std::lock_guard lock(mu_);
  sources_.push_back(std::move(source));
}

std::vector<prometheus::MetricFamily> Metrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  {
    std::lock_guard lock(mu_);
    for (const Source& source : sources_) source(&out);
  }
  for (prometheus::MetricFamily& family : registry_->Collect()) out.push_back(std::move(family));
  return out;
}

prometheus::MetricFamily& AddFamily(std::vector<prometheus::MetricFamily>* out, std::string name,
                                    std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily& family = out->emplace_back();
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddSample(prometheus::MetricFamily& family, double value,
               std::vector<prometheus::ClientMetric::Label> labels) {
  prometheus::ClientMetric& m = family.metric.emplace_back();
  m.label = std::move(labels);
  if (family.type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
}

}  // namespace sessionkv::server
