#!/usr/bin/env bash
# Video pipeline benchmark (issue 11): makes 20 s 30 fps H.264 clips at 720p and 1080p with the
# ffmpeg CLI (not committed: ~7 and ~14 MB), then runs `movicore bench MODEL --video` on each
# (decode only, preprocess, engine only, end to end; engine at 1 thread).
# Usage: tools/bench_video.sh [MODEL (default a0: random-weight A0-stream)] [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-a0}
out=${2:-build/bench_video}
mkdir -p "$out"
for res in 1280x720 1920x1080; do
  clip="$out/testsrc2_${res}_30fps_20s.mp4"
  [ -f "$clip" ] || ffmpeg -v error -y -f lavfi -i "testsrc2=size=${res}:rate=30" -t 20 \
    -pix_fmt yuv420p -c:v libx264 -preset veryfast -g 60 "$clip"
done
echo "# $(date -u +%FT%TZ) $(uptime)"
for res in 1280x720 1920x1080; do
  PYTHONPATH=${PYTHONPATH:-$PWD} OMP_NUM_THREADS=1 python -m movicore bench "$model" \
    --video "$out/testsrc2_${res}_30fps_20s.mp4" --threads 1 --repeat "${REPEAT:-3}" \
    --json "$out/video_${res}.json"
  echo
done
