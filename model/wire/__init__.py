"""The draft's messages on the wire: the Mobility Header codec (`codec`, RFC 5213 options in
`options`), the format lint against RFCs and the IANA registry (`lint`), and the pcap writer
(`pcap`) fed by a trace's signalling (`packets`).  The state machine never depends on these."""
