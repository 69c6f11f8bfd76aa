/* placeholder */
int ks_synth_placeholder(void);
int ks_synth_placeholder(void) { return 0; }
