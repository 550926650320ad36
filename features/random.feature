Feature: Random sequences
  Model-based random testing (hypothesis stateful testing): random sequences of
  operations — mdevs created and removed on both parents and of both types, knobs
  set in every direction and back to their defaults, loads changed (idle,
  backlog, periodic) before, during and after others run, windows of random
  lengths — judged by the oracle after every window (shares, counters, dispatch
  latency, knobs that read otherwise with no write) with the tolerances of the measurement method. Each run tries a fixed
  seed and a fresh one under a device-time budget (--random-budget, default 1200
  timeslices, five times that at the certifying precision); --seed N replays a fresh seed. A failure is shrunk to a minimal
  sequence, printed as a scenario, and fails only the requirement its check
  belongs to.

  @scheduling
  Scenario Outline: No random sequence of operations breaks <requirement>
    Given the random sequences of this run have been tried
    Then no random sequence broke <requirement>

    @QOS-FMT-001
    Examples: QOS-FMT-001
      | requirement |
      | QOS-FMT-001 |

    @QOS-FMT-006
    Examples: QOS-FMT-006
      | requirement |
      | QOS-FMT-006 |

    @QOS-LIFE-001
    Examples: QOS-LIFE-001
      | requirement |
      | QOS-LIFE-001 |

    @QOS-SCH-001
    Examples: QOS-SCH-001
      | requirement |
      | QOS-SCH-001 |

    @QOS-SCH-002
    Examples: QOS-SCH-002
      | requirement |
      | QOS-SCH-002 |

    @QOS-SCH-003
    Examples: QOS-SCH-003
      | requirement |
      | QOS-SCH-003 |

    @QOS-SCH-004
    Examples: QOS-SCH-004
      | requirement |
      | QOS-SCH-004 |

    @QOS-SCH-005
    Examples: QOS-SCH-005
      | requirement |
      | QOS-SCH-005 |

    @QOS-CAP-002
    Examples: QOS-CAP-002
      | requirement |
      | QOS-CAP-002 |

    @QOS-CAP-006
    Examples: QOS-CAP-006
      | requirement |
      | QOS-CAP-006 |

    @QOS-CAP-007
    Examples: QOS-CAP-007
      | requirement |
      | QOS-CAP-007 |

    @QOS-CAP-008
    Examples: QOS-CAP-008
      | requirement |
      | QOS-CAP-008 |

    @QOS-CAP-009
    Examples: QOS-CAP-009
      | requirement |
      | QOS-CAP-009 |

    @QOS-WGT-002
    Examples: QOS-WGT-002
      | requirement |
      | QOS-WGT-002 |

    @QOS-WGT-006
    Examples: QOS-WGT-006
      | requirement |
      | QOS-WGT-006 |

    @QOS-WGT-007
    Examples: QOS-WGT-007
      | requirement |
      | QOS-WGT-007 |

    @QOS-WGT-008
    Examples: QOS-WGT-008
      | requirement |
      | QOS-WGT-008 |

    @QOS-WGT-009
    Examples: QOS-WGT-009
      | requirement |
      | QOS-WGT-009 |

    @QOS-PRI-003
    Examples: QOS-PRI-003
      | requirement |
      | QOS-PRI-003 |

    @QOS-PRI-006
    Examples: QOS-PRI-006
      | requirement |
      | QOS-PRI-006 |

    @QOS-PRI-007
    Examples: QOS-PRI-007
      | requirement |
      | QOS-PRI-007 |

    @QOS-PRI-008
    Examples: QOS-PRI-008
      | requirement |
      | QOS-PRI-008 |

    @QOS-PRI-009
    Examples: QOS-PRI-009
      | requirement |
      | QOS-PRI-009 |

    @QOS-PRI-010
    Examples: QOS-PRI-010
      | requirement |
      | QOS-PRI-010 |

    @QOS-ACC-002
    Examples: QOS-ACC-002
      | requirement |
      | QOS-ACC-002 |

    @QOS-ACC-003
    Examples: QOS-ACC-003
      | requirement |
      | QOS-ACC-003 |

    @QOS-ACC-004
    Examples: QOS-ACC-004
      | requirement |
      | QOS-ACC-004 |

    @QOS-ACC-005
    Examples: QOS-ACC-005
      | requirement |
      | QOS-ACC-005 |

    @QOS-ACC-006
    Examples: QOS-ACC-006
      | requirement |
      | QOS-ACC-006 |

    @QOS-ACC-007
    Examples: QOS-ACC-007
      | requirement |
      | QOS-ACC-007 |

    @QOS-ACC-008
    Examples: QOS-ACC-008
      | requirement |
      | QOS-ACC-008 |
