import * as tf from '@tensorflow/tfjs';

/** Added to the variance before the square root, so an all-constant channel (std 0) still has a finite gradient. */
export const MEAN_STD_EPSILON = 1e-6;

/**
 * Per-channel mean and standard deviation over H and W, concatenated: [N, H, W, C] → [N, 2C]
 * (the C means first, then the C standard deviations). The pooling of multi-level spatially
 * pooled (MLSP) features, Hosu et al. 2020. std = sqrt(mean((x − mean)²) + MEAN_STD_EPSILON).
 */
export class GlobalMeanStdPooling2D extends tf.layers.Layer {
  static className = 'GlobalMeanStdPooling2D';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    const c = s[3];
    return [s[0] ?? null, c == null ? null : 2 * c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const mean = tf.mean(x, [1, 2], true);
      const variance = tf.mean(tf.square(tf.sub(x, mean)), [1, 2]);
      const std = tf.sqrt(tf.add(variance, MEAN_STD_EPSILON));
      return tf.concat([tf.squeeze(mean, [1, 2]), std], 1);
    });
  }
}
tf.serialization.registerClass(GlobalMeanStdPooling2D);

type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type BatchNormLayer = ReturnType<typeof tf.layers.batchNormalization>;
// tfjs exports the factory, not the class: take the class from an instance.
const BatchNormalizationBase = tf.layers.batchNormalization({}).constructor as new (args: BatchNormArgs) => BatchNormLayer;

/**
 * BatchNormalization that runs in inference mode (moving statistics, no update of them) while
 * its layer is frozen (trainable = false), even when the model is applied with training = true.
 * tfjs's own layer ignores `trainable` there: it normalises by the batch's statistics and moves
 * the frozen statistics towards them, which corrupts a frozen pretrained body. Serialised as a
 * plain BatchNormalization, so saved models load anywhere.
 */
export class FreezableBatchNormalization extends BatchNormalizationBase {
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Parameters<BatchNormLayer['call']>[1]): tf.Tensor | tf.Tensor[] {
    return super.call(inputs, this.trainable ? kwargs : { ...kwargs, training: false });
  }
}
