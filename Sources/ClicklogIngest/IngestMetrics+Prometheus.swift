extension IngestMetrics {
    /// The Prometheus text exposition format (version 0.0.4), from the registry, once the
    /// gauges hold the current values of the state they mirror.
    func prometheusText() -> String {
        let open = openConnections.load(ordering: .relaxed)
        let webSocket = webSocketConnections.load(ordering: .relaxed)
        connectionGauges.webSocket.set(to: Double(webSocket))
        connectionGauges.http.set(to: Double(open - webSocket))
        queueEventsGauge.set(to: Double(queuedEvents.load(ordering: .relaxed)))
        queueBytesGauge.set(to: Double(queuedBytes.load(ordering: .relaxed)))
        pausedGauge.set(to: Double(pausedConnections.load(ordering: .relaxed)))
        healthyGauge.set(to: storageHealthy.load(ordering: .relaxed) ? 1 : 0)
        deduplicationGauge.set(to: Double(deduplicationIDs.load(ordering: .relaxed)))
        forgottenEarlyGauge.set(to: Double(deduplicationForgottenEarly.load(ordering: .relaxed)))
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
