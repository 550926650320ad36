Feature: Generated writes
  Hypothesis generates good and bad buffers for every writable knob — random
  bytes, buffers up to and past one page, NUL bytes, spaces, signs, huge
  numbers, non-ASCII text, several newlines — and each one is written once. The
  driver's answer and the value read back are compared with the spec's grammar,
  as kernfs delivers a write to the driver: a zero-length write never reaches
  it, and only the first 4096 bytes of a longer one do. Each knob's original
  value is written back afterwards. Run with `mdev-qos run --profile fuzz`;
  `--max-examples N` bounds the generated inputs per knob.

  @fuzz
  Scenario Outline: <knob> accepts every generated write in its grammar and range
    Given generated writes have been tried on the <knob> of an mdev
    Then every write the grammar accepts returned its count and read back in canonical form

    @QOS-CAP-002
    Examples: cap
      | knob |
      | cap  |

    @QOS-WGT-002
    Examples: weight
      | knob   |
      | weight |

    @QOS-PRI-003
    Examples: priority
      | knob     |
      | priority |

  @fuzz
  Scenario Outline: <knob> refuses every generated malformed write with EINVAL
    Given generated writes have been tried on the <knob> of an mdev
    Then every malformed write failed with EINVAL

    @QOS-CAP-003
    Examples: cap
      | knob |
      | cap  |

    @QOS-WGT-003
    Examples: weight
      | knob   |
      | weight |

    @QOS-PRI-004
    Examples: priority
      | knob     |
      | priority |

  @fuzz
  Scenario Outline: <knob> refuses every generated number outside its range
    Given generated writes have been tried on the <knob> of an mdev
    Then every out-of-range write failed with EINVAL, or ERANGE beyond 32 bits

    @QOS-CAP-004
    Examples: cap
      | knob |
      | cap  |

    @QOS-WGT-004
    Examples: weight
      | knob   |
      | weight |

  @fuzz
  Scenario Outline: No generated write that <knob> refused changed it
    Given generated writes have been tried on the <knob> of an mdev
    Then every refused write left the value as it was

    @QOS-CAP-005
    Examples: cap
      | knob |
      | cap  |

    @QOS-WGT-005
    Examples: weight
      | knob   |
      | weight |

    @QOS-PRI-005
    Examples: priority
      | knob     |
      | priority |
